package parser

import (
	"bytes"
	"strconv"
	"strings"
)

// indentStep is one level of indentation in formatted scripts.
const indentStep = "    "

// Format returns the canonical text of s, in the layout of Kapacitor's
// tickfmt: statements separated by a blank line, each chain step on its own
// line four spaces deeper than the chain's receiver, each property step four
// spaces deeper than its node, arguments on one line unless the source put
// them on several (or comments sit among them), comments kept on their own
// lines before the code that followed them, numbers in canonical spelling,
// parentheses dropped where they group nothing and the lexer does not need
// them. Parsing the result gives a tree Equal to s, with the same comments,
// and formatting it again gives the same text.
func Format(s *Script) []byte {
	p := &printer{file: s.File, lineStart: true}
	for _, g := range s.Comments {
		p.comments = append(p.comments, g.List...)
	}
	for i, st := range s.Stmts {
		if i > 0 {
			p.newline()
			p.newline()
		}
		p.stmt(st)
	}
	if p.ci < len(p.comments) {
		if len(s.Stmts) > 0 {
			p.newline()
			p.newline()
		}
		p.flush(Pos(len(s.File.src)+2), "")
	}
	if !p.lineStart {
		p.newline()
	}
	return p.b.Bytes()
}

// FormatSource parses src and formats it. It returns the parse errors
// without formatting when there are any.
func FormatSource(filename string, src []byte) ([]byte, error) {
	s, err := ParseFile(filename, src)
	if err != nil {
		return nil, err
	}
	return Format(s), nil
}

// printer writes the canonical text. Comments are printed from a queue in
// source order: before an operand, a chain step or a closing bracket, the
// comments that came before it in the source are flushed onto their own
// lines. Comments never go right before an operator or "=", where the lexer,
// which leaves operator state after a comment, would read them differently.
type printer struct {
	file      *File
	b         bytes.Buffer
	comments  []*Comment
	ci        int  // next comment to print
	space     bool // a space is due before the next text, unless a newline comes first
	lineStart bool
	keep      *ParenExpr // parentheses that open the statement and must stay; nil if none
}

func (p *printer) write(s string) {
	if p.space {
		p.b.WriteByte(' ')
		p.space = false
	}
	p.b.WriteString(s)
	p.lineStart = false
}

func (p *printer) newline() {
	p.space = false
	p.b.WriteByte('\n')
	p.lineStart = true
}

// flush prints the queued comments that start before pos, each on its own
// line at indent, keeping blank lines that separated them in the source.
func (p *printer) flush(pos Pos, indent string) {
	first := true
	for p.ci < len(p.comments) && p.comments[p.ci].Slash < pos {
		c := p.comments[p.ci]
		p.ci++
		if !p.lineStart {
			p.newline()
		}
		if c.BlankBefore && !first {
			p.newline()
		}
		first = false
		p.b.WriteString(indent)
		p.b.WriteString(normComment(c.Text))
		p.newline()
	}
}

// at prepares the printing of a node at pos: it flushes the comments before
// it and indents when on a fresh line.
func (p *printer) at(pos Pos, indent string) {
	p.flush(pos, indent)
	if p.lineStart {
		p.b.WriteString(indent)
		p.space = false
		p.lineStart = false
	}
}

// normComment trims trailing space and puts one space after "//" unless the
// text is empty or already starts with a space.
func normComment(text string) string {
	t := strings.TrimRight(strings.TrimPrefix(strings.TrimSpace(text), "//"), " \t\r")
	if t == "" {
		return "//"
	}
	if t[0] != ' ' && t[0] != '\t' {
		return "// " + t
	}
	return "//" + t
}

// newlineBetween reports whether the source has a line break between the
// two positions.
func (p *printer) newlineBetween(from, to Pos) bool {
	a, b := p.file.Offset(from), p.file.Offset(to)
	if a < 0 || b > len(p.file.src) || a >= b {
		return false
	}
	return bytes.IndexByte(p.file.src[a:b], '\n') >= 0
}

// commentsIn reports whether a comment lies between the two positions.
func (p *printer) commentsIn(from, to Pos) bool {
	for _, c := range p.comments[p.ci:] {
		if c.Slash >= to {
			break
		}
		if c.Slash > from {
			return true
		}
	}
	return false
}

func (p *printer) stmt(s Stmt) {
	p.at(s.Pos(), "")
	switch s := s.(type) {
	case *VarDecl:
		p.write("var")
		p.space = true
		p.at(s.Name.Pos(), indentStep)
		p.write(s.Name.Name)
		p.write(" =")
		p.space = true
		p.expr(s.Value, "")
	case *TypeDecl:
		p.write("var")
		p.space = true
		p.at(s.Name.Pos(), indentStep)
		p.write(s.Name.Name)
		p.space = true
		p.at(s.Type.Pos(), indentStep)
		p.write(s.Type.Name)
	case *DBRPStmt:
		p.write("dbrp")
		p.space = true
		p.at(s.DB.Pos(), indentStep)
		p.write(refText(s.DB.Name))
		p.write(".")
		p.at(s.RP.Pos(), indentStep)
		p.write(refText(s.RP.Name))
	case *ExprStmt:
		p.keep = leadingParen(s.X)
		p.expr(s.X, "")
		p.keep = nil
	}
}

// leadingParen returns the parentheses that open a statement around a unary
// minus, a regex or a star. They must stay: without them the statement would
// start with a token the lexer reads as an operator continuing the previous
// statement ("-", "/", "*"). It returns nil when there are none.
func leadingParen(x Expr) *ParenExpr {
	for {
		switch e := x.(type) {
		case *BinaryExpr:
			x = e.X
		case *ParenExpr:
			inner := unparen(e)
			if startsWithOperatorChar(inner) {
				return e
			}
			if keepParens(inner) {
				return nil
			}
			x = inner
		default:
			return nil
		}
	}
}

// startsWithOperatorChar reports whether x starts with "-", a regex or a star.
func startsWithOperatorChar(x Expr) bool {
	for {
		switch e := x.(type) {
		case *BinaryExpr:
			x = e.X
		case *UnaryExpr:
			return e.Op == SUB
		case *RegexLit, *Star:
			return true
		default:
			return false
		}
	}
}

// expr prints x. indent is the indentation of the line x starts on: chain
// steps, continuation lines and comments inside x are placed from it.
func (p *printer) expr(x Expr, indent string) {
	switch x := x.(type) {
	case *ChainCall, *PropertyCall, *PropertyRead, *UDFCall:
		p.chain(x, indent)
		return
	}
	if _, ok := x.(*BinaryExpr); !ok {
		// A binary expression starts with its left operand, which flushes
		// for it: asking every node of a long left-deep chain for its
		// position would take quadratic time.
		p.at(x.Pos(), indent)
	}
	switch x := x.(type) {
	case *Ident:
		p.write(x.Name)
	case *IntLit:
		p.write(intText(x))
	case *FloatLit:
		p.write(floatText(x.Value))
	case *DurationLit:
		p.write(x.Lit)
	case *StringLit:
		p.write(x.Lit)
	case *Reference:
		p.write(refText(x.Name))
	case *RegexLit:
		p.write(x.Lit)
	case *BoolLit:
		if x.Value {
			p.write("TRUE")
		} else {
			p.write("FALSE")
		}
	case *Star:
		p.write("*")
	case *ListLit:
		p.write("[")
		for i, e := range x.Elems {
			if i > 0 {
				p.write(",")
				p.space = true
			}
			p.expr(e, indent)
		}
		p.at(x.Rbrack, indent)
		p.write("]")
	case *Lambda:
		p.write("lambda:")
		p.space = true
		p.expr(x.Body, indent)
	case *BinaryExpr:
		p.expr(x.X, indent)
		p.write(" " + x.Op.String())
		if p.newlineBetween(x.X.End(), x.Y.Pos()) {
			p.newline()
		} else {
			p.space = true
		}
		p.expr(x.Y, indent)
	case *UnaryExpr:
		p.write(x.Op.String())
		p.expr(x.X, indent)
	case *ParenExpr:
		inner := unparen(x)
		if !keepParens(inner) && x != p.keep && !p.commentsIn(x.Lparen, x.Rparen) {
			// Redundant parentheses go, unless a comment inside them
			// would then have to precede an operator.
			p.expr(inner, indent)
			return
		}
		p.write("(")
		p.expr(inner, indent+indentStep)
		p.at(x.Rparen, indent)
		p.write(")")
	case *CallExpr:
		p.write(x.Fun.Name)
		p.args(x.Lparen, x.Args, x.Rparen, indent)
	}
}

// keepParens reports whether parentheses around x must stay. Around a
// binary expression they group. Around an expression that ends with a regex
// or a star they end it in operator state, so that an operator may follow
// (the lexer reads '/' and '*' as a regex and a star after a regex or a star,
// and after "lambda:", AND and OR reads them as operators). Around one that
// ends with an identifier they keep a following "(" from making a call, as in
// "var a = (b)" followed by the statement "(1 + 2)".
func keepParens(x Expr) bool {
	if _, ok := x.(*BinaryExpr); ok {
		return true
	}
	for {
		switch e := x.(type) {
		case *UnaryExpr:
			x = e.X
		case *Ident, *RegexLit, *Star:
			return true
		default:
			return false
		}
	}
}

// unparen strips nested parentheses.
func unparen(x *ParenExpr) Expr {
	var e Expr = x
	for {
		px, ok := e.(*ParenExpr)
		if !ok {
			return e
		}
		e = px.X
	}
}

// chain prints a chain: its receiver, then each step on its own line, "|" and
// "@" steps one level below base, "." steps two.
func (p *printer) chain(x Expr, base string) {
	var steps []Expr
	root := x
	for {
		var next Expr
		switch c := root.(type) {
		case *ChainCall:
			next = c.X
		case *PropertyCall:
			next = c.X
		case *PropertyRead:
			next = c.X
		case *UDFCall:
			next = c.X
		}
		if next == nil {
			break
		}
		steps = append(steps, root)
		root = next
	}
	p.at(root.Pos(), base)
	p.expr(root, base)
	for i := len(steps) - 1; i >= 0; i-- {
		stepIndent := base + indentStep
		var opPos Pos
		var op string
		var name *Ident
		var lparen, rparen Pos
		var args []Expr
		call := true
		switch s := steps[i].(type) {
		case *ChainCall:
			opPos, op, name, lparen, args, rparen = s.Pipe, "|", s.Name, s.Lparen, s.Args, s.Rparen
		case *UDFCall:
			opPos, op, name, lparen, args, rparen = s.At, "@", s.Name, s.Lparen, s.Args, s.Rparen
		case *PropertyCall:
			stepIndent += indentStep
			opPos, op, name, lparen, args, rparen = s.Dot, ".", s.Name, s.Lparen, s.Args, s.Rparen
		case *PropertyRead:
			stepIndent += indentStep
			opPos, op, name, call = s.Dot, ".", s.Name, false
		}
		p.newline()
		p.at(opPos, stepIndent)
		p.write(op)
		p.at(name.Pos(), stepIndent+indentStep)
		p.write(name.Name)
		if call {
			p.args(lparen, args, rparen, stepIndent)
		}
	}
}

// isChain reports whether x is a chain with at least one step.
func isChain(x Expr) bool {
	switch x.(type) {
	case *ChainCall, *PropertyCall, *PropertyRead, *UDFCall:
		return true
	}
	return false
}

// args prints "(a, b)", or one argument per line one level below base with
// ")" back at base when the source had line breaks between arguments,
// comments among them, or an argument is a chain.
func (p *printer) args(lparen Pos, args []Expr, rparen Pos, base string) {
	indent := base + indentStep
	p.write("(")
	// Comments still queued before ")" lie among the arguments, or between
	// the name and "(": either way they go on lines of their own.
	multi := p.ci < len(p.comments) && p.comments[p.ci].Slash < rparen
	prev := lparen
	for _, a := range args {
		if p.newlineBetween(prev, a.Pos()) || isChain(a) {
			// A chain argument spans lines anyway: give it lines of its own.
			multi = true
		}
		prev = a.End()
	}
	for i, a := range args {
		if i > 0 {
			p.write(",")
			if !multi {
				p.space = true
			}
		}
		if multi {
			p.newline()
		}
		p.expr(a, indent)
	}
	if multi {
		p.flush(rparen, indent)
		if !p.lineStart {
			p.newline()
		}
		p.b.WriteString(base)
		p.lineStart = false
	} else {
		p.at(rparen, indent)
	}
	p.write(")")
}

func intText(x *IntLit) string {
	if len(x.Lit) > 1 && x.Lit[0] == '0' {
		return "0" + strconv.FormatInt(x.Value, 8)
	}
	return strconv.FormatInt(x.Value, 10)
}

func floatText(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func refText(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `\"`) + `"`
}
