"""inspections' writes, one module per area (rounds, findings, tasks, ladder, rechecks); `steps` holds the one
function that moves a task and writes its step, which every area that moves a task calls."""
