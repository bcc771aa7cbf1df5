package runtime

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tickc/tickc/stdlib"
)

// This file holds the match expressions of topic handlers: a lambda
// expression, as Kapacitor's alert service evaluates it for a handler spec's
// "match", on the event a topic receives. It may use the functions level(),
// changed(), name(), taskName() and duration(), the level constants OK, INFO,
// WARNING and CRITICAL, tags as "references", string, number, duration,
// boolean and regex literals, and TICKscript's operators with their
// precedence. The operators are stdlib's, so that their types and errors are
// those of every other lambda.

// TopicMatch is a compiled match expression.
type TopicMatch struct {
	text string
	root matchNode
	tags []string // the tags the expression references, each once
}

// matchFuncs are the functions of a match expression, with their result
// types.
var matchFuncs = map[string]stdlib.Type{
	"level":    stdlib.TypeInt,
	"changed":  stdlib.TypeBool,
	"name":     stdlib.TypeString,
	"taskName": stdlib.TypeString,
	"duration": stdlib.TypeDuration,
}

// matchLevels are the identifiers of a match expression: the levels, as
// the integers level() returns.
var matchLevels = map[string]AlertLevel{"OK": AlertOK, "INFO": AlertInfo, "WARNING": AlertWarning, "CRITICAL": AlertCritical}

// ParseTopicMatch compiles a match expression. Its errors give the column of
// the offending token.
func ParseTopicMatch(text string) (*TopicMatch, error) {
	p := &matchParser{src: text}
	if err := p.lex(); err != nil {
		return nil, fmt.Errorf("invalid match expression: %w", err)
	}
	root, err := p.parseOr()
	if err == nil && p.peek().kind != mtEOF {
		err = p.errorf(p.peek(), "unexpected %s", p.peek().text)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid match expression: %w", err)
	}
	m := &TopicMatch{text: text, root: root}
	seen := map[string]bool{}
	for _, r := range p.refs {
		if !seen[r] {
			seen[r] = true
			m.tags = append(m.tags, r)
		}
	}
	return m, nil
}

// String returns the expression's text.
func (m *TopicMatch) String() string { return m.text }

// Match evaluates the expression on ev. As in Kapacitor, every tag the
// expression references must exist, and the result must be a boolean.
func (m *TopicMatch) Match(ev *AlertEvent) (bool, error) {
	for _, tag := range m.tags {
		if _, ok := ev.Tags.Get(tag); !ok {
			return false, fmt.Errorf("no tag exists for %s", tag)
		}
	}
	v, err := m.root.eval(ev)
	if err != nil {
		return false, err
	}
	if v.Type() != stdlib.TypeBool {
		return false, fmt.Errorf("match expression returned %s, want a boolean", v.Type())
	}
	return v.Bool(), nil
}

// matchNode is a node of a compiled match expression.
type matchNode interface {
	eval(ev *AlertEvent) (stdlib.Value, error)
}

type matchLit struct{ v stdlib.Value }

func (n matchLit) eval(*AlertEvent) (stdlib.Value, error) { return n.v, nil }

// matchRef is a "reference": a tag of the event.
type matchRef struct{ name string }

func (n matchRef) eval(ev *AlertEvent) (stdlib.Value, error) {
	v, ok := ev.Tags.Get(n.name)
	if !ok {
		return stdlib.MissingRef(n.name), fmt.Errorf("no tag exists for %s", n.name)
	}
	return stdlib.String(v), nil
}

// matchCall is one of matchFuncs.
type matchCall struct{ name string }

func (n matchCall) eval(ev *AlertEvent) (stdlib.Value, error) {
	switch n.name {
	case "level":
		return stdlib.Int(int64(ev.Level)), nil
	case "changed":
		return stdlib.Bool(ev.Level != ev.PreviousLevel), nil
	case "name":
		return stdlib.String(ev.Name), nil
	case "taskName":
		return stdlib.String(ev.TaskName), nil
	case "duration":
		return stdlib.Duration(ev.Duration), nil
	}
	return stdlib.Missing, fmt.Errorf("unknown function %s()", n.name)
}

type matchUnary struct {
	op stdlib.Op
	x  matchNode
}

func (n matchUnary) eval(ev *AlertEvent) (stdlib.Value, error) {
	v, err := n.x.eval(ev)
	if err != nil {
		return v, err
	}
	if n.op == stdlib.OpNot {
		return stdlib.Not(v)
	}
	return stdlib.Neg(v)
}

type matchBinary struct {
	op   stdlib.Op
	l, r matchNode
}

func (n matchBinary) eval(ev *AlertEvent) (stdlib.Value, error) {
	l, err := n.l.eval(ev)
	if err != nil {
		return l, err
	}
	if n.op.IsLogical() {
		// Both sides are checked before either decides, as Kapacitor does.
		r, err := n.r.eval(ev)
		if err != nil {
			return r, err
		}
		if err := stdlib.CheckLogical(n.op, l, r); err != nil {
			return stdlib.Missing, err
		}
		if n.op == stdlib.OpAnd {
			return stdlib.Bool(l.Bool() && r.Bool()), nil
		}
		return stdlib.Bool(l.Bool() || r.Bool()), nil
	}
	r, err := n.r.eval(ev)
	if err != nil {
		return r, err
	}
	return stdlib.Binary(n.op, l, r)
}

// The token kinds of a match expression.
const (
	mtEOF = iota
	mtString
	mtRef
	mtRegex
	mtNumber
	mtDuration
	mtIdent
	mtOp
	mtLParen
	mtRParen
)

type matchToken struct {
	kind int
	text string // the source text; for strings, references and regexes the decoded value
	col  int    // 1-based column of the first byte
}

type matchParser struct {
	src  string
	toks []matchToken
	pos  int
	refs []string
}

func (p *matchParser) errorf(t matchToken, format string, args ...any) error {
	return fmt.Errorf("col %d: %s", t.col, fmt.Sprintf(format, args...))
}

// lex splits the source into tokens. A '/' right after =~ or !~ starts a
// regex; elsewhere it divides.
func (p *matchParser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		start := i
		tok := func(kind int, text string) {
			p.toks = append(p.toks, matchToken{kind: kind, text: text, col: start + 1})
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			text, n, err := matchQuoted(s[i:], c)
			if err != nil {
				return fmt.Errorf("col %d: %w", start+1, err)
			}
			i += n
			if c == '\'' {
				tok(mtString, text)
			} else {
				tok(mtRef, text)
			}
		case c == '/' && len(p.toks) > 0 && (p.toks[len(p.toks)-1].text == "=~" || p.toks[len(p.toks)-1].text == "!~"):
			text, n, err := matchQuoted(s[i:], '/')
			if err != nil {
				return fmt.Errorf("col %d: %w", start+1, err)
			}
			i += n
			tok(mtRegex, text)
		case c >= '0' && c <= '9':
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
				i++
			}
			kind := mtNumber
			if unit := matchDurationUnit(s[i:]); unit != "" {
				i += len(unit)
				kind = mtDuration
			}
			tok(kind, s[start:i])
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			for i < len(s) && (s[i] == '_' || s[i] < utf8.RuneSelf && (unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i])))) {
				i++
			}
			tok(mtIdent, s[start:i])
		case c == '(':
			i++
			tok(mtLParen, "(")
		case c == ')':
			i++
			tok(mtRParen, ")")
		default:
			op := ""
			for _, o := range []string{"==", "!=", "<=", ">=", "=~", "!~", "<", ">", "!", "+", "-", "*", "/", "%"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(s[i:])
				return fmt.Errorf("col %d: unexpected character %q", start+1, r)
			}
			i += len(op)
			tok(mtOp, op)
		}
	}
	p.toks = append(p.toks, matchToken{kind: mtEOF, text: "end of expression", col: len(s) + 1})
	return nil
}

// matchQuoted reads a literal quoted by q at the start of s, where a
// backslash escapes q; it returns the text between the quotes and the
// length read.
func matchQuoted(s string, q byte) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case s[i] == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated %c literal", q)
}

// matchDurationUnit returns the duration unit that starts s, if any, as
// TICKscript's duration literals have them.
func matchDurationUnit(s string) string {
	for _, u := range []string{"ms", "us", "µs", "ns", "u", "µ", "s", "m", "h", "d", "w"} {
		if strings.HasPrefix(s, u) {
			rest := s[len(u):]
			if rest == "" || !(rest[0] == '_' || unicode.IsLetter(rune(rest[0])) || unicode.IsDigit(rune(rest[0]))) {
				return u
			}
		}
	}
	return ""
}

// parseMatchDuration parses a duration literal: a number and a unit.
func parseMatchDuration(text string) (time.Duration, error) {
	i := strings.IndexFunc(text, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := text[:i], text[i:]
	var d time.Duration
	switch unit {
	case "ns":
		d = time.Nanosecond
	case "u", "µ", "us", "µs":
		d = time.Microsecond
	case "ms":
		d = time.Millisecond
	case "s":
		d = time.Second
	case "m":
		d = time.Minute
	case "h":
		d = time.Hour
	case "d":
		d = 24 * time.Hour
	case "w":
		d = 7 * 24 * time.Hour
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %s", text)
	}
	return time.Duration(n) * d, nil
}

func (p *matchParser) peek() matchToken { return p.toks[p.pos] }

func (p *matchParser) next() matchToken {
	t := p.toks[p.pos]
	if t.kind != mtEOF {
		p.pos++
	}
	return t
}

// parseBinary parses a left-associative level of binary operators, each
// level's operands being parsed by sub.
func (p *matchParser) parseBinary(ops map[string]stdlib.Op, sub func() (matchNode, error)) (matchNode, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op, ok := ops[t.text]
		if !ok || t.kind != mtOp && t.kind != mtIdent {
			return l, nil
		}
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = matchBinary{op: op, l: l, r: r}
	}
}

func (p *matchParser) parseOr() (matchNode, error) {
	return p.parseBinary(map[string]stdlib.Op{"OR": stdlib.OpOr}, p.parseAnd)
}

func (p *matchParser) parseAnd() (matchNode, error) {
	return p.parseBinary(map[string]stdlib.Op{"AND": stdlib.OpAnd}, p.parseComparison)
}

func (p *matchParser) parseComparison() (matchNode, error) {
	return p.parseBinary(map[string]stdlib.Op{
		"==": stdlib.OpEq, "!=": stdlib.OpNeq, "<": stdlib.OpLt, "<=": stdlib.OpLte, ">": stdlib.OpGt, ">=": stdlib.OpGte,
		"=~": stdlib.OpRegexMatch, "!~": stdlib.OpRegexNotMatch,
	}, p.parseAdditive)
}

func (p *matchParser) parseAdditive() (matchNode, error) {
	return p.parseBinary(map[string]stdlib.Op{"+": stdlib.OpAdd, "-": stdlib.OpSub}, p.parseMultiplicative)
}

func (p *matchParser) parseMultiplicative() (matchNode, error) {
	return p.parseBinary(map[string]stdlib.Op{"*": stdlib.OpMul, "/": stdlib.OpDiv, "%": stdlib.OpMod}, p.parseUnary)
}

func (p *matchParser) parseUnary() (matchNode, error) {
	if t := p.peek(); t.kind == mtOp && (t.text == "!" || t.text == "-") {
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		op := stdlib.OpNot
		if t.text == "-" {
			op = stdlib.OpNeg
		}
		return matchUnary{op: op, x: x}, nil
	}
	return p.parsePrimary()
}

func (p *matchParser) parsePrimary() (matchNode, error) {
	t := p.next()
	switch t.kind {
	case mtString:
		return matchLit{stdlib.String(t.text)}, nil
	case mtRef:
		p.refs = append(p.refs, t.text)
		return matchRef{t.text}, nil
	case mtRegex:
		re, err := regexp.Compile(t.text)
		if err != nil {
			return nil, p.errorf(t, "invalid regex: %v", err)
		}
		return matchLit{stdlib.Regex(re)}, nil
	case mtNumber:
		if strings.Contains(t.text, ".") {
			f, err := strconv.ParseFloat(t.text, 64)
			if err != nil {
				return nil, p.errorf(t, "invalid number %s", t.text)
			}
			return matchLit{stdlib.Float(f)}, nil
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errorf(t, "invalid number %s", t.text)
		}
		return matchLit{stdlib.Int(n)}, nil
	case mtDuration:
		d, err := parseMatchDuration(t.text)
		if err != nil {
			return nil, p.errorf(t, "%v", err)
		}
		return matchLit{stdlib.Duration(d)}, nil
	case mtLParen:
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != mtRParen {
			return nil, p.errorf(c, "expected ), found %s", c.text)
		}
		return x, nil
	case mtIdent:
		if p.peek().kind == mtLParen {
			p.next()
			if _, ok := matchFuncs[t.text]; !ok {
				return nil, p.errorf(t, "unknown function %s() (a match expression may call level(), changed(), name(), taskName() and duration())", t.text)
			}
			if c := p.next(); c.kind != mtRParen {
				return nil, p.errorf(c, "%s takes no arguments", t.text)
			}
			return matchCall{t.text}, nil
		}
		switch t.text {
		case "TRUE":
			return matchLit{stdlib.Bool(true)}, nil
		case "FALSE":
			return matchLit{stdlib.Bool(false)}, nil
		}
		if l, ok := matchLevels[t.text]; ok {
			return matchLit{stdlib.Int(int64(l))}, nil
		}
		return nil, p.errorf(t, "unknown identifier %q", t.text)
	case mtEOF:
		return nil, p.errorf(t, "unexpected end of expression")
	}
	return nil, p.errorf(t, "unexpected %s", t.text)
}
