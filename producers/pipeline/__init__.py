"""The producers' record path: intake, publish, wait (``RecordPipeline``)."""

from producers.pipeline.bulk import BulkRouting
from producers.pipeline.core import RecordPipeline
from producers.pipeline.intake import Checked, InvalidRecord, Submission, Target, Validate
from producers.pipeline.wait import ProgressCallback, Settled

__all__ = [
    "BulkRouting",
    "Checked",
    "InvalidRecord",
    "ProgressCallback",
    "RecordPipeline",
    "Settled",
    "Submission",
    "Target",
    "Validate",
]
