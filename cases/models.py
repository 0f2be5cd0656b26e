# Cases arrive with the case closed-loop issue.
