/* A stand-in for the CUDA driver (libcuda) and the HIP runtime (libamdhip64)
 * for machines without a GPU: managed memory is host memory, modules are kept
 * as given, and a launch runs nothing but is recorded (kernel, grid, block,
 * the buffer pointers it was given), for test_gpu_runtimes.py to compare with
 * the launch plan. Kernel parameters are counted from the PTX entry's
 * signature (CUDA); for a HIP code object only the first is recorded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char entry[128];
  unsigned grid[3], block[3];
  int num_params;
  uint64_t params[32];
} Launch;

Launch fake_launches[1024];
int fake_num_launches;
int fake_num_synchronizations;

typedef struct {
  char *image;
  size_t size;
} Module;

typedef struct {
  Module *module;
  char name[128];
} Function;

static int ptx_params(const char *ptx, const char *entry) {
  char pattern[160];
  snprintf(pattern, sizeof pattern, ".entry %s(", entry);
  const char *at = strstr(ptx, pattern);
  if (!at)
    return -1;
  const char *end = strchr(at, ')');
  int n = 0;
  for (const char *p = strstr(at, ".param"); p && p < end; p = strstr(p + 1, ".param"))
    ++n;
  return n;
}

static int record(Function *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                  unsigned by, unsigned bz, void **params, int count) {
  if (fake_num_launches == 1024 || count < 0 || count > 32)
    return 1;
  Launch *l = &fake_launches[fake_num_launches++];
  strncpy(l->entry, f->name, sizeof l->entry - 1);
  l->grid[0] = gx, l->grid[1] = gy, l->grid[2] = gz;
  l->block[0] = bx, l->block[1] = by, l->block[2] = bz;
  l->num_params = count;
  for (int i = 0; i < count; ++i)
    l->params[i] = *(uint64_t *)params[i];
  return 0;
}

static int load(void **out, const void *image, size_t size) {
  Module *m = malloc(sizeof *m);
  m->image = malloc(size + 1);
  memcpy(m->image, image, size);
  m->image[size] = 0;
  m->size = size;
  *out = m;
  return 0;
}

static int get_function(void **out, void *module, const char *name) {
  Module *m = module;
  /* The name is in the PTX text or the code object's symbol table. */
  int found = 0;
  size_t n = strlen(name);
  for (size_t i = 0; i + n <= m->size && !found; ++i)
    found = memcmp(m->image + i, name, n) == 0;
  if (!found)
    return 500; /* CUDA_ERROR_NOT_FOUND */
  Function *f = calloc(1, sizeof *f);
  f->module = m;
  strncpy(f->name, name, sizeof f->name - 1);
  *out = f;
  return 0;
}

static int unload(void *module) {
  Module *m = module;
  free(m->image);
  free(m);
  return 0;
}

/* CUDA driver API */
int cuInit(unsigned flags) { return flags ? 1 : 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *d, int ordinal) { *d = ordinal; return 0; }
int cuDeviceGetName(char *s, int len, int d) { strncpy(s, "Fake CUDA GPU", len); return 0; }
int cuDeviceGetAttribute(int *v, int attribute, int d) {
  *v = attribute == 75 ? 8 : 0; /* compute capability 8.0 */
  return 0;
}
int cuDevicePrimaryCtxRetain(void **ctx, int d) { *ctx = (void *)0x1; return 0; }
int cuDevicePrimaryCtxRelease(int d) { return 0; }
int cuCtxSetCurrent(void *ctx) { return ctx == (void *)0x1 ? 0 : 201; }
int cuCtxSynchronize(void) { ++fake_num_synchronizations; return 0; }
int cuMemAllocManaged(uint64_t *p, size_t n, unsigned flags) {
  *p = (uint64_t)calloc(1, n);
  return flags == 1 ? 0 : 1;
}
int cuMemFree(uint64_t p) { free((void *)p); return 0; }
int cuModuleLoadData(void **m, const void *image) {
  return load(m, image, strlen(image));
}
int cuModuleUnload(void *m) { return unload(m); }
int cuModuleGetFunction(void **f, void *m, const char *name) {
  return get_function(f, m, name);
}
int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                   unsigned by, unsigned bz, unsigned shared, void *stream,
                   void **params, void **extra) {
  Function *fn = f;
  return record(fn, gx, gy, gz, bx, by, bz, params,
                ptx_params(fn->module->image, fn->name));
}
int cuGetErrorString(int e, const char **s) { *s = "fake error"; return 0; }

/* HIP runtime API */
int hipInit(unsigned flags) { return flags ? 1 : 0; }
int hipGetDeviceCount(int *n) { *n = 1; return 0; }
int hipSetDevice(int d) { return d == 0 ? 0 : 101; }
int hipDeviceGetName(char *s, int len, int d) { strncpy(s, "Fake ROCm GPU", len); return 0; }
int hipGetDevicePropertiesR0600(char *props, int d) {
  strcpy(props + 1160, "gfx942:sramecc+:xnack-"); /* somewhere in the struct */
  return 0;
}
int hipDeviceSynchronize(void) { ++fake_num_synchronizations; return 0; }
int hipMallocManaged(uint64_t *p, size_t n, unsigned flags) {
  *p = (uint64_t)calloc(1, n);
  return flags == 1 ? 0 : 1;
}
int hipFree(uint64_t p) { free((void *)p); return 0; }
int hipModuleLoadData(void **m, const void *image) {
  /* An ELF code object: its size from the section header table's end. */
  const unsigned char *e = image;
  if (memcmp(e, "\x7f" "ELF", 4) != 0)
    return 200; /* hipErrorInvalidImage */
  uint64_t shoff = *(const uint64_t *)(e + 0x28);
  uint16_t shentsize = *(const uint16_t *)(e + 0x3a), shnum = *(const uint16_t *)(e + 0x3c);
  return load(m, image, shoff + (uint64_t)shentsize * shnum);
}
int hipModuleUnload(void *m) { return unload(m); }
int hipModuleGetFunction(void **f, void *m, const char *name) {
  return get_function(f, m, name);
}
int hipModuleLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                          unsigned by, unsigned bz, unsigned shared, void *stream,
                          void **params, void **extra) {
  return record(f, gx, gy, gz, bx, by, bz, params, 1);
}
const char *hipGetErrorString(int e) { return "fake error"; }
