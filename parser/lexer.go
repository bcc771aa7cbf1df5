package parser

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tokEOF     tokKind = iota
	tokIllegal         // a lexical error; the token's text is the message
	tokIdent
	tokVar
	tokDBRP
	tokTrue
	tokFalse
	tokLambda // "lambda:"
	tokInt
	tokFloat
	tokDuration
	tokString
	tokReference
	tokRegex
	tokStar
	tokOp // an operator, AND and OR included; the token's op says which
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokComma
	tokPipe
	tokDot
	tokAt
	tokAssign
)

var kindText = [...]string{
	tokEOF:       "end of file",
	tokIllegal:   "illegal token",
	tokIdent:     "identifier",
	tokVar:       `"var"`,
	tokDBRP:      `"dbrp"`,
	tokTrue:      "TRUE",
	tokFalse:     "FALSE",
	tokLambda:    `"lambda:"`,
	tokInt:       "integer",
	tokFloat:     "float",
	tokDuration:  "duration",
	tokString:    "string",
	tokReference: "reference",
	tokRegex:     "regex",
	tokStar:      `"*"`,
	tokOp:        "operator",
	tokLParen:    `"("`,
	tokRParen:    `")"`,
	tokLBrack:    `"["`,
	tokRBrack:    `"]"`,
	tokComma:     `","`,
	tokPipe:      `"|"`,
	tokDot:       `"."`,
	tokAt:        `"@"`,
	tokAssign:    `"="`,
}

// String names the token kind for messages.
func (k tokKind) String() string { return kindText[k] }

// token is one lexical token. For literals, val holds the decoded value
// (the unescaped text of strings, references and regexes).
type token struct {
	kind tokKind
	pos  Pos    // position of the first byte
	text string // the source text; the message for tokIllegal
	val  string // the decoded text of a string, reference or regex
	op   Op     // the operator of a tokOp
	doc  *CommentGroup
	// nl reports whether a newline separates the token from the previous one.
	nl bool
}

// describe names the token for an "unexpected" message.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of file"
	case tokOp:
		return fmt.Sprintf("%q", t.op.String())
	case tokIdent:
		return fmt.Sprintf("identifier %q", t.text)
	case tokInt, tokFloat, tokDuration, tokString, tokReference, tokRegex:
		s := t.text
		if r := []rune(s); len(r) > 24 {
			s = string(r[:20]) + "..."
		}
		return fmt.Sprintf("%s %s", t.kind, s)
	}
	return t.kind.String()
}

// lexer splits a source into tokens, following the state machine of
// Kapacitor's lexer: after an operand (a name, a literal other than a regex
// or a star, or ")") it is in operator state, where '*' is multiplication
// and '/' division; everywhere else '*' is the star literal and '/' starts a
// regex. After "=", "=~" and "!~" a '/' starts a regex even though they are
// operators.
type lexer struct {
	src      string
	pos      int  // current byte offset
	operator bool // operator state: an operand was just read
	toks     []token
	comments []*CommentGroup
	pending  *CommentGroup // comments read since the last token
	lastEnd  int           // offset just after the last token or comment
}

// lex returns every token of src, ending with tokEOF, and every comment group.
func lex(src string) ([]token, []*CommentGroup) {
	l := &lexer{src: src}
	for {
		t := l.next()
		l.toks = append(l.toks, t)
		if t.kind == tokEOF {
			break
		}
	}
	return l.toks, l.comments
}

func (l *lexer) peekRune(off int) rune {
	if l.pos+off >= len(l.src) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos+off:])
	return r
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r, w := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += w
	}
}

// next returns the next token, reading any comments before it.
func (l *lexer) next() token {
	for {
		l.skipSpace()
		if strings.HasPrefix(l.src[l.pos:], "//") {
			l.comment()
			// Kapacitor's lexer leaves operator state after a comment.
			l.operator = false
			continue
		}
		break
	}
	start := l.pos
	nl := strings.Contains(l.src[l.lastEnd:start], "\n") || len(l.toks) == 0
	t := l.scan()
	t.pos = Pos(start + 1)
	if t.kind != tokIllegal {
		t.text = l.src[start:l.pos]
	}
	t.nl = nl
	t.doc = l.pending
	l.pending = nil
	l.lastEnd = l.pos
	return t
}

func (l *lexer) comment() {
	start := l.pos
	end := strings.IndexByte(l.src[start:], '\n')
	if end < 0 {
		end = len(l.src)
	} else {
		end += start
	}
	text := strings.TrimRight(l.src[start:end], "\r")
	c := &Comment{Slash: Pos(start + 1), Text: text}
	if l.pending != nil {
		c.BlankBefore = strings.Count(l.src[l.lastEnd:start], "\n") > 1
	}
	if l.pending == nil {
		l.pending = &CommentGroup{}
		l.comments = append(l.comments, l.pending)
	}
	l.pending.List = append(l.pending.List, c)
	l.pos = end
	l.lastEnd = end
}

// scan reads one token at l.pos, which is not a space or a comment.
func (l *lexer) scan() token {
	if l.pos >= len(l.src) {
		return token{kind: tokEOF}
	}
	if l.operator {
		if t, ok := l.operatorToken(); ok {
			return t
		}
	}
	l.operator = false
	r, w := utf8.DecodeRuneInString(l.src[l.pos:])
	switch {
	case r == '-':
		l.pos++
		return token{kind: tokOp, op: SUB}
	case r == '!':
		l.pos++
		return token{kind: tokOp, op: NOT}
	case r == '.' && !isDigit(l.peekRune(1)):
		l.pos++
		return token{kind: tokDot}
	case isDigit(r) || r == '.':
		return l.number()
	case unicode.IsLetter(r):
		return l.identOrKeyword()
	case r == '"':
		return l.quoted('"', tokReference, "unterminated reference")
	case r == '\'':
		return l.str()
	case r == '/':
		return l.regex()
	}
	l.pos += w
	switch r {
	case '(':
		return token{kind: tokLParen}
	case ')':
		l.operator = true
		return token{kind: tokRParen}
	case '[':
		return token{kind: tokLBrack}
	case ']':
		return token{kind: tokRBrack}
	case '|':
		return token{kind: tokPipe}
	case '@':
		return token{kind: tokAt}
	case ',':
		return token{kind: tokComma}
	case '*':
		return token{kind: tokStar}
	}
	if r == utf8.RuneError && w == 1 {
		return token{kind: tokIllegal, text: "invalid UTF-8 encoding"}
	}
	if r == '_' {
		return token{kind: tokIllegal, text: "identifiers cannot start with '_'"}
	}
	return token{kind: tokIllegal, text: fmt.Sprintf("unexpected character %q", r)}
}

// operatorToken reads an operator in operator state. It reports false when
// the input does not start with one, and the token is then read in operand
// state.
func (l *lexer) operatorToken() (token, bool) {
	s := l.src[l.pos:]
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	var op Op
	switch two {
	case "==":
		op = EQL
	case "!=":
		op = NEQ
	case "=~":
		op = MATCH
	case "!~":
		op = NOTMATCH
	case "<=":
		op = LEQ
	case ">=":
		op = GEQ
	}
	if op != ILLEGAL {
		l.pos += 2
		l.operator = false
		return token{kind: tokOp, op: op}, true
	}
	switch s[0] {
	case '+':
		op = ADD
	case '-':
		op = SUB
	case '*':
		op = MUL
	case '/':
		op = QUO
	case '%':
		op = REM
	case '<':
		op = LSS
	case '>':
		op = GTR
	case '!':
		op = NOT
	case '=':
		l.pos++
		l.operator = false
		return token{kind: tokAssign}, true
	default:
		return token{}, false
	}
	l.pos++
	l.operator = false
	return token{kind: tokOp, op: op}, true
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func isIdentRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func (l *lexer) identOrKeyword() token {
	start := l.pos
	for l.pos < len(l.src) {
		r, w := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentRune(r) {
			break
		}
		l.pos += w
	}
	l.operator = true
	switch l.src[start:l.pos] {
	case "var":
		return token{kind: tokVar}
	case "dbrp":
		return token{kind: tokDBRP}
	case "TRUE":
		return token{kind: tokTrue}
	case "FALSE":
		return token{kind: tokFalse}
	case "AND":
		return token{kind: tokOp, op: AND}
	case "OR":
		return token{kind: tokOp, op: OR}
	case "lambda":
		// "lambda" is a keyword only when ':' follows immediately.
		if l.pos < len(l.src) && l.src[l.pos] == ':' {
			l.pos++
			return token{kind: tokLambda}
		}
	}
	return token{kind: tokIdent}
}

// number reads an integer, float or duration literal. Unlike Kapacitor's
// lexer, which would split them into two tokens, it rejects a number glued
// to letters or digits, such as 1e3, 1.5s or 1h30m.
func (l *lexer) number() token {
	start := l.pos
	dot := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '.' {
			if dot {
				l.skipWord()
				return token{kind: tokIllegal, text: fmt.Sprintf("invalid number %q: more than one decimal point", l.src[start:l.pos])}
			}
			dot = true
		} else if !isDigit(rune(c)) {
			break
		}
		l.pos++
	}
	kind := tokInt
	if dot {
		kind = tokFloat
	}
	digitsEnd := l.pos
	if !dot {
		switch {
		case strings.HasPrefix(l.src[l.pos:], "ms"):
			l.pos += 2
			kind = tokDuration
		case strings.HasPrefix(l.src[l.pos:], "µ"):
			l.pos += len("µ")
			kind = tokDuration
		case l.pos < len(l.src) && strings.IndexByte("usmhdw", l.src[l.pos]) >= 0:
			l.pos++
			kind = tokDuration
		}
	}
	if r := l.peekRune(0); r >= 0 && isIdentRune(r) {
		l.skipWord()
		text := l.src[start:l.pos]
		switch {
		case kind == tokDuration:
			return token{kind: tokIllegal, text: fmt.Sprintf("invalid duration %q: a duration is an integer and one unit among u, µ, ms, s, m, h, d, w", text)}
		case dot && unitStart(l.src[digitsEnd:]):
			return token{kind: tokIllegal, text: fmt.Sprintf("invalid duration %q: durations must be integers", text)}
		case strings.IndexAny(l.src[digitsEnd:digitsEnd+1], "eE") == 0:
			return token{kind: tokIllegal, text: fmt.Sprintf("invalid number %q: exponents are not supported", text)}
		default:
			return token{kind: tokIllegal, text: fmt.Sprintf("invalid number %q: a duration ends in one unit among u, µ, ms, s, m, h, d, w", text)}
		}
	}
	l.operator = true
	return token{kind: kind}
}

// unitStart reports whether s starts with a duration unit.
func unitStart(s string) bool {
	return s != "" && (strings.IndexByte("usmhdw", s[0]) >= 0 || strings.HasPrefix(s, "µ"))
}

// skipWord moves past letters, digits, '_' and '.'.
func (l *lexer) skipWord() {
	for l.pos < len(l.src) {
		r, w := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentRune(r) && r != '.' {
			return
		}
		l.pos += w
	}
}

// quoted reads a literal delimited by q in which only \q is an escape.
func (l *lexer) quoted(q byte, kind tokKind, unterminated string) token {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\\' && l.pos+1 < len(l.src) && l.src[l.pos+1] == q:
			b.WriteByte(q)
			l.pos += 2
			continue
		case c == q:
			l.pos++
			l.operator = kind != tokRegex
			return token{kind: kind, val: b.String()}
		}
		b.WriteByte(c)
		l.pos++
	}
	l.pos = len(l.src)
	_ = start
	return token{kind: tokIllegal, text: unterminated}
}

// str reads a single-quoted or triple-quoted string. A triple-quoted string
// has no escapes and ends at the first three quotes in a row.
func (l *lexer) str() token {
	if strings.HasPrefix(l.src[l.pos:], "'''") {
		end := strings.Index(l.src[l.pos+3:], "'''")
		if end < 0 {
			l.pos = len(l.src)
			return token{kind: tokIllegal, text: "unterminated string"}
		}
		val := l.src[l.pos+3 : l.pos+3+end]
		l.pos += 3 + end + 3
		l.operator = true
		return token{kind: tokString, val: val}
	}
	return l.quoted('\'', tokString, "unterminated string")
}

func (l *lexer) regex() token {
	return l.quoted('/', tokRegex, "unterminated regex")
}
