"""``ember.optim``: optimizers and learning-rate schedulers.

Each ``step()`` compiles into one region for all parameters and their state; a
repeated step (whatever the learning rate) reuses it from the compile cache.
"""

from ember.optim import lr_scheduler
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamw import AdamW
from ember.optim.optimizer import Optimizer
from ember.optim.rmsprop import RMSprop
from ember.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
