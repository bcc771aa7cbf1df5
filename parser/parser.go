package parser

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseFile parses the TICKscript src. filename is used in positions. On
// syntax errors it returns the script parsed so far (the statements it could
// read) and an ErrorList holding every error, sorted.
func ParseFile(filename string, src []byte) (*Script, error) {
	p := newParser(filename, src)
	s := &Script{File: p.file}
	for p.tok.kind != tokEOF {
		if st := p.statement(); st != nil {
			s.Stmts = append(s.Stmts, st)
		}
	}
	s.Comments = p.comments
	p.errs.Sort()
	return s, p.errs.Err()
}

// ParseExpr parses src as one expression, the way Kapacitor parses the body
// of a lambda supplied at define time: operators, literals, references,
// identifiers, function calls and parentheses, no chains. The error is an
// ErrorList whose positions have no file name.
func ParseExpr(src string) (Expr, error) {
	x, _, err := ParseExprFile("", []byte(src))
	return x, err
}

// ParseExprFile is ParseExpr for a named source; it also returns the
// position table of the expression's nodes.
func ParseExprFile(filename string, src []byte) (Expr, *File, error) {
	p := newParser(filename, src)
	var x Expr
	func() {
		defer p.recoverBail()
		x = p.binaryExpr()
		if p.tok.kind != tokEOF {
			p.unexpected("end of expression")
		}
	}()
	p.errs.Sort()
	if len(p.errs) > 0 {
		return nil, p.file, p.errs
	}
	return x, p.file, nil
}

// parser is a recursive-descent parser over the token slice of one source.
// An error stops the statement being parsed (by a bailout panic that never
// leaves the package); parsing resumes at the next statement.
type parser struct {
	file     *File
	toks     []token
	comments []*CommentGroup
	i        int   // index of tok in toks
	tok      token // current token
	depth    int   // nesting of expressions being parsed
	errs     ErrorList
}

// maxDepth bounds the nesting of parentheses, unary operators and call
// arguments, so that a hostile input cannot exhaust the stack.
const maxDepth = 1000

func (p *parser) nest() {
	p.depth++
	if p.depth > maxDepth {
		p.errorAt(p.tok.pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) unnest() { p.depth-- }

// bailout is the panic value that abandons the current statement.
type bailout struct{}

func newParser(filename string, src []byte) *parser {
	toks, comments := lex(string(src))
	p := &parser{file: NewFile(filename, src), toks: toks, comments: comments}
	p.tok = p.toks[0]
	return p
}

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	p.tok = p.toks[p.i]
}

// peek returns the token after the current one.
func (p *parser) peek() token {
	if p.i+1 < len(p.toks) {
		return p.toks[p.i+1]
	}
	return p.toks[len(p.toks)-1]
}

// errorAt records a diagnostic and abandons the statement.
func (p *parser) errorAt(pos Pos, format string, args ...any) {
	p.errs.Addf(p.file.Position(pos), format, args...)
	panic(bailout{})
}

// unexpected reports the current token, or the lexical error it carries.
func (p *parser) unexpected(want string) {
	if p.tok.kind == tokIllegal {
		p.errorAt(p.tok.pos, "%s", p.tok.text)
	}
	p.errorAt(p.tok.pos, "unexpected %s, expected %s", p.tok.describe(), want)
}

func (p *parser) expect(k tokKind, want string) token {
	t := p.tok
	if t.kind != k {
		p.unexpected(want)
	}
	p.next()
	return t
}

func (p *parser) recoverBail() {
	if r := recover(); r != nil {
		if _, ok := r.(bailout); !ok {
			panic(r)
		}
	}
}

// statement parses one statement. After an error it skips to a token that
// can start a statement and returns nil.
func (p *parser) statement() (s Stmt) {
	start := p.i
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			s = nil
			p.depth = 0
			p.sync(start)
		}
	}()
	switch p.tok.kind {
	case tokVar:
		return p.declaration()
	case tokDBRP:
		return p.dbrp()
	}
	return &ExprStmt{X: p.expression()}
}

// sync skips past the failed statement that began at token index start: to
// the next "var" or "dbrp", or to an identifier that begins a line outside
// any brackets. It reports the lexical errors it skips.
func (p *parser) sync(start int) {
	if p.i == start {
		p.next()
	}
	depth := 0
	for ; p.tok.kind != tokEOF; p.next() {
		switch p.tok.kind {
		case tokIllegal:
			// Lexical errors are reported even in skipped text.
			p.errs.Add(p.file.Position(p.tok.pos), p.tok.text)
		case tokVar, tokDBRP:
			return
		case tokLParen, tokLBrack:
			depth++
		case tokRParen, tokRBrack:
			depth--
		case tokIdent:
			if p.tok.nl && depth <= 0 {
				return
			}
		}
	}
}

func (p *parser) declaration() Stmt {
	varPos := p.tok.pos
	doc := p.tok.doc
	p.next()
	name := p.ident("var name")
	if p.tok.kind == tokAssign {
		assign := p.tok.pos
		p.next()
		return &VarDecl{Doc: doc, Var: varPos, Name: name, Assign: assign, Value: p.expression()}
	}
	if p.tok.kind != tokIdent {
		p.unexpected(`"=" or a type name`)
	}
	return &TypeDecl{Doc: doc, Var: varPos, Name: name, Type: p.ident("type name")}
}

func (p *parser) dbrp() Stmt {
	d := &DBRPStmt{DBRP: p.tok.pos}
	p.next()
	if p.tok.kind != tokReference {
		p.unexpected(`a "database" name in double quotes`)
	}
	d.DB = p.reference()
	d.Dot = p.expect(tokDot, `"." between database and retention policy`).pos
	if p.tok.kind != tokReference {
		p.unexpected(`a "retention policy" name in double quotes`)
	}
	d.RP = p.reference()
	return d
}

// expression parses what can stand as a statement, a var value or a call
// argument: a chain, a lambda, a list or an operator expression.
func (p *parser) expression() Expr {
	p.nest()
	defer p.unnest()
	switch p.tok.kind {
	case tokIdent:
		switch p.peek().kind {
		case tokLParen:
			call := p.call()
			switch p.tok.kind {
			case tokDot, tokPipe, tokAt:
				return p.chain(call)
			}
			return p.precedence(call, 0)
		case tokDot, tokPipe, tokAt:
			return p.chain(p.ident("identifier"))
		}
	case tokLambda:
		return p.lambda()
	case tokLBrack:
		return p.list()
	}
	return p.binaryExpr()
}

// chain parses the steps |name(…), .name(…), .name and @name(…) that
// follow x.
func (p *parser) chain(x Expr) Expr {
	for {
		switch p.tok.kind {
		case tokPipe:
			pipe := p.tok.pos
			p.next()
			name := p.ident("node name after |")
			c := &ChainCall{X: x, Pipe: pipe, Name: name}
			c.Lparen, c.Args, c.Rparen = p.args(name.Name)
			x = c
		case tokDot:
			dot := p.tok.pos
			p.next()
			name := p.ident("property name after .")
			if p.tok.kind != tokLParen {
				x = &PropertyRead{X: x, Dot: dot, Name: name}
				continue
			}
			c := &PropertyCall{X: x, Dot: dot, Name: name}
			c.Lparen, c.Args, c.Rparen = p.args(name.Name)
			x = c
		case tokAt:
			at := p.tok.pos
			p.next()
			name := p.ident("UDF name after @")
			c := &UDFCall{X: x, At: at, Name: name}
			c.Lparen, c.Args, c.Rparen = p.args(name.Name)
			x = c
		default:
			return x
		}
	}
}

// args parses "(a, b, …)" where each argument is a full expression; a
// trailing comma is allowed.
func (p *parser) args(name string) (lparen Pos, args []Expr, rparen Pos) {
	if p.tok.kind != tokLParen {
		p.unexpected(fmt.Sprintf(`"(" after %s`, name))
	}
	lparen = p.tok.pos
	p.next()
	for p.tok.kind != tokRParen {
		args = append(args, p.expression())
		if p.tok.kind != tokComma {
			break
		}
		p.next()
	}
	rparen = p.expect(tokRParen, `"," or ")"`).pos
	return lparen, args, rparen
}

// call parses a global function call "name(args)" at expression level.
func (p *parser) call() *CallExpr {
	c := &CallExpr{Fun: p.ident("function name")}
	c.Lparen, c.Args, c.Rparen = p.args(c.Fun.Name)
	return c
}

func (p *parser) lambda() Expr {
	l := &Lambda{Lambda: p.tok.pos}
	p.next()
	l.Body = p.binaryExpr()
	return l
}

// list parses "[a, 'b', *]": identifiers, strings and stars only.
func (p *parser) list() Expr {
	l := &ListLit{Lbrack: p.tok.pos}
	p.next()
	for p.tok.kind != tokRBrack {
		switch p.tok.kind {
		case tokIdent:
			l.Elems = append(l.Elems, p.ident("identifier"))
		case tokString:
			l.Elems = append(l.Elems, p.primary())
		case tokStar:
			l.Elems = append(l.Elems, &Star{Star: p.tok.pos})
			p.next()
		default:
			p.unexpected("identifier, string or * in list")
		}
		if p.tok.kind != tokComma {
			break
		}
		p.next()
	}
	l.Rbrack = p.expect(tokRBrack, `"," or "]"`).pos
	return l
}

// binaryExpr parses an operator expression (Kapacitor's primaryExpr).
func (p *parser) binaryExpr() Expr {
	return p.precedence(p.primary(), 0)
}

// precedence is operator-precedence climbing: it extends lhs with the binary
// operators of precedence at least min, left-associatively.
func (p *parser) precedence(lhs Expr, min int) Expr {
	for p.tok.kind == tokOp && p.tok.op.IsBinary() && p.tok.op.Precedence() >= min {
		op, opPos := p.tok.op, p.tok.pos
		p.next()
		rhs := p.primary()
		for p.tok.kind == tokOp && p.tok.op.Precedence() > op.Precedence() {
			rhs = p.precedence(rhs, p.tok.op.Precedence())
		}
		lhs = &BinaryExpr{X: lhs, OpPos: opPos, Op: op, Y: rhs}
	}
	return lhs
}

// primary parses an operand: a literal, a reference, an identifier, a
// function call, a parenthesised expression or a unary operation.
func (p *parser) primary() Expr {
	p.nest()
	defer p.unnest()
	t := p.tok
	switch t.kind {
	case tokLParen:
		p.next()
		x := p.binaryExpr()
		r := p.expect(tokRParen, `")"`)
		return &ParenExpr{Lparen: t.pos, X: x, Rparen: r.pos}
	case tokInt:
		p.next()
		return p.intLit(t)
	case tokFloat:
		p.next()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.errorAt(t.pos, "invalid float %q", t.text)
		}
		return &FloatLit{ValuePos: t.pos, Lit: t.text, Value: v}
	case tokDuration:
		p.next()
		return p.durationLit(t)
	case tokString:
		p.next()
		return &StringLit{ValuePos: t.pos, Lit: t.text, Value: t.val, Triple: strings.HasPrefix(t.text, "'''")}
	case tokReference:
		return p.reference()
	case tokRegex:
		p.next()
		re, err := regexp.Compile(t.val)
		if err != nil {
			msg := err.Error()
			msg = strings.TrimPrefix(msg, "error parsing regexp: ")
			p.errorAt(t.pos, "invalid regex %s: %s", t.text, msg)
		}
		return &RegexLit{ValuePos: t.pos, Lit: t.text, Pattern: t.val, Regexp: re}
	case tokTrue, tokFalse:
		p.next()
		return &BoolLit{ValuePos: t.pos, Value: t.kind == tokTrue}
	case tokStar:
		p.next()
		return &Star{Star: t.pos}
	case tokIdent:
		if p.peek().kind == tokLParen {
			c := &CallExpr{Fun: p.ident("function name")}
			c.Lparen = p.tok.pos
			p.next()
			for p.tok.kind != tokRParen {
				c.Args = append(c.Args, p.binaryExpr())
				if p.tok.kind != tokComma {
					break
				}
				p.next()
			}
			c.Rparen = p.expect(tokRParen, `"," or ")"`).pos
			return c
		}
		return p.ident("identifier")
	case tokOp:
		if t.op == SUB || t.op == NOT {
			p.next()
			return &UnaryExpr{OpPos: t.pos, Op: t.op, X: p.primary()}
		}
	}
	p.unexpected("expression")
	return nil
}

func (p *parser) ident(want string) *Ident {
	t := p.expect(tokIdent, want)
	return &Ident{NamePos: t.pos, Name: t.text}
}

func (p *parser) reference() *Reference {
	t := p.expect(tokReference, "reference")
	return &Reference{ValuePos: t.pos, Lit: t.text, Name: t.val}
}

// intLit decodes an integer literal; a leading 0 makes it octal.
func (p *parser) intLit(t token) Expr {
	base := 10
	if len(t.text) > 1 && t.text[0] == '0' {
		base = 8
	}
	v, err := strconv.ParseInt(t.text, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			p.errorAt(t.pos, "integer %s out of range", t.text)
		}
		p.errorAt(t.pos, "invalid octal integer %s", t.text)
	}
	return &IntLit{ValuePos: t.pos, Lit: t.text, Value: v}
}

// durationUnits maps a duration unit to its length, as influxql defines them.
var durationUnits = map[string]time.Duration{
	"u":  time.Microsecond,
	"µ":  time.Microsecond,
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  24 * time.Hour,
	"w":  7 * 24 * time.Hour,
}

func (p *parser) durationLit(t token) Expr {
	i := strings.IndexFunc(t.text, func(r rune) bool { return !isDigit(r) })
	n, err := strconv.ParseInt(t.text[:i], 10, 64)
	unit := durationUnits[t.text[i:]]
	if err != nil || unit == 0 || n > math.MaxInt64/int64(unit) {
		p.errorAt(t.pos, "duration %s out of range", t.text)
	}
	return &DurationLit{ValuePos: t.pos, Lit: t.text, Value: time.Duration(n) * unit}
}
