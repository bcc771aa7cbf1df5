package runtime

import "log/slog"

// Task is one compiled TICKscript task at run time: its name, its logger and
// the services its nodes share.
type Task struct {
	Name string
	Log  *slog.Logger
}
