"""How the organisation area names an assignment status, in the UI language."""

from flask_babel import lazy_gettext as _l

from course.assignments import AssignmentStatus

STATUS_LABELS = {AssignmentStatus.NOT_STARTED: _l("niet begonnen"), AssignmentStatus.IN_PROGRESS: _l("bezig"),
                 AssignmentStatus.COMPLETED: _l("afgerond"), AssignmentStatus.OVERDUE: _l("te laat")}
