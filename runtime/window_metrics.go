package runtime

// bufferedPoints returns the points waiting in the node's windows, summed
// over its groups, for the tickc_node_buffered_points metric. It walks the
// groups, so it is meant for a scrape, not for the path of a point.
func (n *Window) bufferedPoints() int {
	total := 0
	for _, w := range n.groups {
		total += w.buf.len()
	}
	return total
}
