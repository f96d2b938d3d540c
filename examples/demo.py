"""Ember's main demo: train a small CNN on scikit-learn's bundled digits (8x8
grayscale, no download), report test accuracy, save a safetensors checkpoint,
reload it into a fresh model and check the predictions are identical.

The training step (forward + backward) compiles into one region and the Adam
step for all parameters into another; both compile on the first batch and are
cache hits afterwards (``ember.compiler.cache_stats()`` shows it).

Run it with ``./scripts/demo.sh`` (which also sets everything up).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import ember
import numpy as np
from ember import nn
from ember.compiler import cache_stats
from ember.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def predict(model: nn.Module, x: ember.Tensor) -> np.ndarray:
    model.eval()
    with ember.no_grad():
        return model(x).argmax(dim=1).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--checkpoint", default=None,
                        help="where to save the model (default: a temporary directory)")
    args = parser.parse_args()

    start = time.perf_counter()
    ember.manual_seed(0)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8) in [0, 1]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target.astype(np.int64), test_size=0.25, random_state=0,
        stratify=digits.target)
    train = TensorDataset(ember.tensor(x_train), ember.tensor(y_train))
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        generator=ember.Generator().manual_seed(0))

    model = DigitsCNN()
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    print(f"digits: {len(x_train)} train / {len(x_test)} test images, "
          f"{sum(p.numel() for p in model.parameters())} parameters")

    for epoch in range(args.epochs):
        model.train()
        total, batches = 0.0, 0
        bar = tqdm(loader, desc=f"epoch {epoch + 1:2d}/{args.epochs}", leave=False)
        for xb, yb in bar:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
            bar.set_postfix(loss=f"{total / batches:.4f}")
        scheduler.step()
        accuracy = (predict(model, ember.tensor(x_test)) == y_test).mean()
        tqdm.write(f"epoch {epoch + 1:2d}: train loss {total / batches:.4f}, "
                   f"test accuracy {accuracy:.2%}")

    predictions = predict(model, ember.tensor(x_test))
    accuracy = (predictions == y_test).mean()
    print(f"test accuracy: {accuracy:.2%} ({time.perf_counter() - start:.1f} s in total)")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.checkpoint or os.path.join(tmp, "digits_cnn.safetensors")
        ember.save(model.state_dict(), path)
        restored = DigitsCNN()
        restored.load_state_dict(ember.load(path))
        same = np.array_equal(predict(restored, ember.tensor(x_test)), predictions)
        print(f"checkpoint: saved {os.path.getsize(path)} bytes to {path}; reloaded model "
              f"predicts {'identically' if same else 'DIFFERENTLY'}")
    stats = cache_stats()
    print(f"compile cache: {stats}")
    if not same or accuracy < 0.97:
        raise SystemExit("demo failed: " + ("predictions differ after reload" if not same
                                            else f"accuracy {accuracy:.2%} is below 97%"))


if __name__ == "__main__":
    main()
