"""Any other picklable object (scikit-learn models among them), with a warning: a pickle loads
only where the same classes, at compatible versions, can be imported."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

from lineageql.artifacts.materializers.base import Materializer

DATA_FILE = "data.pkl"


class PickleMaterializer(Materializer):
    handles = (object,)

    def save(self, value: Any) -> None:
        warnings.warn(
            f"{type(value).__module__}.{type(value).__qualname__} is stored as a pickle, which "
            "loads only with compatible versions of its classes; register a materializer for "
            "it to store it portably",
            stacklevel=2,
        )
        self.write_bytes(DATA_FILE, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self, data_type: type) -> Any:
        return pickle.loads(self.read_bytes(DATA_FILE))
