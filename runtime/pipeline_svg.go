package runtime

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
)

// PipelineGraph is one task's pipeline as RenderPipelineSVG draws it.
type PipelineGraph struct {
	Name  string
	Nodes []PipelineNode
}

// PipelineNode is a box of the drawing: its name, further lines of text
// under it (counts, positions) and the indexes of its children in the
// graph's Nodes.
type PipelineNode struct {
	Name     string
	Lines    []string
	Children []int
}

// Layout constants of the SVG drawing, in pixels.
const (
	svgCharWidth = 7  // the advance of one character of the monospace font
	svgLineH     = 16 // one line of text
	svgPadX      = 10 // inside a box, left and right
	svgPadY      = 6  // inside a box, top and bottom
	svgGapX      = 24 // between boxes of one layer
	svgGapY      = 40 // between layers
	svgMargin    = 16
	svgTitleH    = 24
)

// RenderPipelineSVG draws the graphs one under the other as a standalone SVG
// document. Each graph is laid out in layers: a node's layer is one more than
// the deepest of its parents, so every edge points downwards; the nodes of a
// layer are placed left to right in the graph's order and the layer is
// centred. Edges are straight lines with an arrow head.
func RenderPipelineSVG(graphs []PipelineGraph) []byte {
	var body bytes.Buffer
	width, y := 0, svgMargin
	for _, g := range graphs {
		w, h := renderGraph(&body, g, y)
		width = max(width, w)
		y += h + svgGapY
	}
	width += 2 * svgMargin
	height := max(y-svgGapY+svgMargin, 2*svgMargin)
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">`+"\n", width, height, width, height)
	out.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>` + "\n")
	out.Write(body.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// renderGraph writes one graph with its top at y and returns its width and
// height.
func renderGraph(out *bytes.Buffer, g PipelineGraph, top int) (int, int) {
	n := len(g.Nodes)
	layer := make([]int, n)
	// Longest path from a source, by relaxing edges until nothing changes;
	// a cycle (not possible in a pipeline) is cut after n rounds.
	for round := 0; round < n; round++ {
		changed := false
		for i, node := range g.Nodes {
			for _, c := range node.Children {
				if c >= 0 && c < n && layer[c] < layer[i]+1 {
					layer[c] = layer[i] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	depth := 0
	for _, l := range layer {
		depth = max(depth, l+1)
	}
	boxW := make([]int, n)
	boxH := make([]int, n)
	for i, node := range g.Nodes {
		chars := len(node.Name)
		for _, l := range node.Lines {
			chars = max(chars, len(l))
		}
		boxW[i] = chars*svgCharWidth + 2*svgPadX
		boxH[i] = (1+len(node.Lines))*svgLineH + 2*svgPadY
	}
	rows := make([][]int, depth)
	for i := range g.Nodes {
		rows[layer[i]] = append(rows[layer[i]], i)
	}
	rowW := make([]int, depth)
	rowH := make([]int, depth)
	width := len(g.Name)*svgCharWidth + 8
	for r, row := range rows {
		for k, i := range row {
			if k > 0 {
				rowW[r] += svgGapX
			}
			rowW[r] += boxW[i]
			rowH[r] = max(rowH[r], boxH[i])
		}
		width = max(width, rowW[r])
	}
	x := make([]int, n)
	y := make([]int, n)
	cy := top + svgTitleH
	for r, row := range rows {
		cx := svgMargin + (width-rowW[r])/2
		for _, i := range row {
			x[i], y[i] = cx, cy
			cx += boxW[i] + svgGapX
		}
		cy += rowH[r] + svgGapY
	}
	height := cy - svgGapY - top
	if depth == 0 {
		height = svgTitleH
	}
	fmt.Fprintf(out, `<g class="task" id="task-%s">`+"\n", html.EscapeString(g.Name))
	fmt.Fprintf(out, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", svgMargin, top+svgLineH, html.EscapeString(g.Name))
	for i, node := range g.Nodes {
		for _, c := range node.Children {
			if c < 0 || c >= n {
				continue
			}
			x1, y1 := x[i]+boxW[i]/2, y[i]+boxH[i]
			x2, y2 := x[c]+boxW[c]/2, y[c]
			fmt.Fprintf(out, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#444" marker-end="url(#arrow)"/>`+"\n", x1, y1, x2, y2)
		}
	}
	for i, node := range g.Nodes {
		fmt.Fprintf(out, `<g class="node" id="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="#eef3fb" stroke="#36c"/>`,
			html.EscapeString(g.Name+"."+node.Name), x[i], y[i], boxW[i], boxH[i])
		ty := y[i] + svgPadY + svgLineH - 4
		fmt.Fprintf(out, `<text x="%d" y="%d" font-weight="bold">%s</text>`, x[i]+svgPadX, ty, html.EscapeString(node.Name))
		for _, l := range node.Lines {
			ty += svgLineH
			fmt.Fprintf(out, `<text x="%d" y="%d">%s</text>`, x[i]+svgPadX, ty, html.EscapeString(l))
		}
		out.WriteString("</g>\n")
	}
	out.WriteString("</g>\n")
	return width, height
}

// PipelineSVG draws the program's tasks with each node's live counts.
func (p *Program) PipelineSVG() []byte {
	graphs := make([]PipelineGraph, 0, len(p.Tasks))
	for _, t := range p.Tasks {
		g := PipelineGraph{Name: t.Name}
		for _, s := range t.Stats() {
			lines := []string{
				"in " + strconv.FormatUint(s.PointsIn, 10) + "  out " + strconv.FormatUint(s.PointsOut, 10),
			}
			if s.Errors > 0 {
				lines = append(lines, "errors "+strconv.FormatUint(s.Errors, 10))
			}
			if s.Groups >= 0 {
				lines = append(lines, "groups "+strconv.Itoa(s.Groups))
			}
			g.Nodes = append(g.Nodes, PipelineNode{Name: s.Node, Lines: lines, Children: s.Children})
		}
		graphs = append(graphs, g)
	}
	return RenderPipelineSVG(graphs)
}
