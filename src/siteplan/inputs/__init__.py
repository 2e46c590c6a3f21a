"""Dataset contract (registry), CSV loading with checks, and preprocessing (derive)."""

from siteplan.inputs.derive import ModelData, derive
from siteplan.inputs.load import Inputs, load_inputs

__all__ = ["Inputs", "ModelData", "derive", "load_inputs"]
