package runtime

import "fmt"

// findWorkspace returns the section of list for workspace, as Kapacitor's
// multi-workspace services (slack, discord) choose it: "" means the default
// one (the only one, or the one marked default). id gives a section's
// workspace name and default flag. A missing default means the service is
// disabled; a missing named workspace is a permanent error.
func findWorkspace[C any](service string, list []C, workspace string, id func(C) (name string, isDefault bool)) (C, error) {
	for _, c := range list {
		name, isDefault := id(c)
		if workspace == "" && (isDefault || len(list) == 1) || workspace != "" && name == workspace {
			return c, nil
		}
	}
	var zero C
	if workspace == "" {
		return zero, errServiceDisabled
	}
	return zero, permanent(fmt.Errorf("no %s configuration found for workspace %q", service, workspace))
}
