package runtime

import "slices"

// stdlib.Value holds a string as the address of its bytes, so points,
// fields and batches are compared with these rather than with == or
// reflect.DeepEqual, which would compare the addresses.

// sameFields reports whether two field sets have the same keys and
// identical values.
func sameFields(a, b Fields) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || !a[i].Value.Identical(b[i].Value) {
			return false
		}
	}
	return true
}

// identicalPoints reports whether two points are the same in every part.
func identicalPoints(a, b Point) bool {
	return a.Name == b.Name && a.Database == b.Database && a.RetentionPolicy == b.RetentionPolicy &&
		a.Time == b.Time && a.Group == b.Group && a.Dimensions.ByName == b.Dimensions.ByName &&
		slices.Equal(a.Dimensions.TagNames, b.Dimensions.TagNames) &&
		slices.Equal(a.Tags, b.Tags) && sameFields(a.Fields, b.Fields)
}

// identicalBatches reports whether two batches are the same in every part.
func identicalBatches(a, b Batch) bool {
	if a.Name != b.Name || a.TMax != b.TMax || a.Group != b.Group || a.Dimensions.ByName != b.Dimensions.ByName ||
		!slices.Equal(a.Dimensions.TagNames, b.Dimensions.TagNames) || !slices.Equal(a.Tags, b.Tags) || len(a.Points) != len(b.Points) {
		return false
	}
	for i := range a.Points {
		p, q := a.Points[i], b.Points[i]
		if p.Time != q.Time || !slices.Equal(p.Tags, q.Tags) || !sameFields(p.Fields, q.Fields) {
			return false
		}
	}
	return true
}
