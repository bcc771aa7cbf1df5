package parser

import (
	"regexp"
	"strings"
	"time"
)

// Node is any node of the syntax tree. Pos is the position of its first
// character and End the position just after its last one.
type Node interface {
	Pos() Pos
	End() Pos
}

// Stmt is a top-level statement: *VarDecl, *TypeDecl, *DBRPStmt or *ExprStmt.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is an expression. The concrete types are *Ident, *IntLit, *FloatLit,
// *DurationLit, *StringLit, *Reference, *RegexLit, *BoolLit, *Star, *ListLit,
// *Lambda, *BinaryExpr, *UnaryExpr, *ParenExpr, *CallExpr, *ChainCall,
// *PropertyCall, *PropertyRead and *UDFCall.
type Expr interface {
	Node
	exprNode()
}

// ---------------------------------------------------------------------------
// Comments

// Comment is one "//" comment line.
type Comment struct {
	Slash       Pos    // position of the first '/'
	Text        string // the comment text including "//", without the newline
	BlankBefore bool   // a blank line separates it from the previous comment of its group
}

// Pos returns the position of the comment's first '/'.
func (c *Comment) Pos() Pos { return c.Slash }

// End returns the position just after the comment's last character.
func (c *Comment) End() Pos { return c.Slash + Pos(len(c.Text)) }

// CommentGroup is the run of comment lines that stands between two tokens.
// Blank lines inside the run are marked by BlankBefore and kept by the
// formatter.
type CommentGroup struct {
	List []*Comment // at least one comment
}

// Pos returns the position of the group's first comment.
func (g *CommentGroup) Pos() Pos { return g.List[0].Pos() }

// End returns the position just after the group's last comment.
func (g *CommentGroup) End() Pos { return g.List[len(g.List)-1].End() }

// Text returns the comment as Kapacitor shows it as a var description: each
// line trimmed, without "//" and one space after it, the lines joined by
// newlines, and an extra "\n" line where a blank line separated two comments.
// A nil group has the empty text.
func (g *CommentGroup) Text() string {
	if g == nil {
		return ""
	}
	lines := make([]string, 0, len(g.List))
	for i, c := range g.List {
		if i > 0 && c.BlankBefore {
			lines = append(lines, "\n")
		}
		t := strings.TrimSpace(c.Text)
		t = strings.TrimPrefix(t, "//")
		t = strings.TrimPrefix(t, " ")
		lines = append(lines, t)
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------------------
// The script and its statements

// Script is a parsed TICKscript file.
type Script struct {
	File     *File           // position table of the source
	Stmts    []Stmt          // the statements in source order
	Comments []*CommentGroup // every comment of the file in source order, including the Doc groups
}

// Pos returns the position of the first statement, or NoPos for an empty script.
func (s *Script) Pos() Pos {
	if len(s.Stmts) == 0 {
		return NoPos
	}
	return s.Stmts[0].Pos()
}

// End returns the end of the last statement, or NoPos for an empty script.
func (s *Script) End() Pos {
	if len(s.Stmts) == 0 {
		return NoPos
	}
	return s.Stmts[len(s.Stmts)-1].End()
}

// VarDecl is "var Name = Value".
type VarDecl struct {
	Doc    *CommentGroup // the comment just before "var", its description; nil if none
	Var    Pos           // position of "var"
	Name   *Ident
	Assign Pos // position of "="
	Value  Expr
}

// TypeDecl is "var Name TYPE": a template var declared without a default
// value. Type names one of int, float, bool, string, regex, duration,
// lambda, list, star (Check reports any other name).
type TypeDecl struct {
	Doc  *CommentGroup // the comment just before "var", its description; nil if none
	Var  Pos           // position of "var"
	Name *Ident
	Type *Ident
}

// DBRPStmt is `dbrp "db"."rp"`.
type DBRPStmt struct {
	DBRP Pos // position of "dbrp"
	DB   *Reference
	Dot  Pos // position of the "." between the two names
	RP   *Reference
}

// ExprStmt is an expression used as a statement, typically a chain such as
// stream|from()|alert().
type ExprStmt struct {
	X Expr
}

// Pos returns the position of "var".
func (d *VarDecl) Pos() Pos { return d.Var }

// End returns the end of the value.
func (d *VarDecl) End() Pos { return d.Value.End() }

// Pos returns the position of "var".
func (d *TypeDecl) Pos() Pos { return d.Var }

// End returns the end of the type name.
func (d *TypeDecl) End() Pos { return d.Type.End() }

// Pos returns the position of "dbrp".
func (d *DBRPStmt) Pos() Pos { return d.DBRP }

// End returns the end of the retention policy name.
func (d *DBRPStmt) End() Pos { return d.RP.End() }

// Pos returns the start of the expression.
func (s *ExprStmt) Pos() Pos { return s.X.Pos() }

// End returns the end of the expression.
func (s *ExprStmt) End() Pos { return s.X.End() }

func (*VarDecl) stmtNode()  {}
func (*TypeDecl) stmtNode() {}
func (*DBRPStmt) stmtNode() {}
func (*ExprStmt) stmtNode() {}

// ---------------------------------------------------------------------------
// Literals and names

// Ident is an identifier: a var, a function or a method name.
type Ident struct {
	NamePos Pos
	Name    string
}

// IntLit is an integer literal. A literal with a leading 0 is octal
// (0644 is 420).
type IntLit struct {
	ValuePos Pos
	Lit      string // the source text, e.g. "0644"
	Value    int64
}

// FloatLit is a float literal such as 1.5, .5 or 5. (no exponent form).
type FloatLit struct {
	ValuePos Pos
	Lit      string // the source text
	Value    float64
}

// DurationLit is a duration literal: digits and one unit among u µ ms s m h
// d w.
type DurationLit struct {
	ValuePos Pos
	Lit      string // the source text, e.g. "10s"
	Value    time.Duration
}

// StringLit is a string literal, single-quoted or triple-quoted.
type StringLit struct {
	ValuePos Pos
	Lit      string // the source text with its quotes
	Value    string // the string: \' unescaped in single quotes, raw in triple quotes
	Triple   bool   // written with triple quotes
}

// Reference is a "double-quoted" field, tag or time reference (or a dbrp
// name).
type Reference struct {
	ValuePos Pos
	Lit      string // the source text with its quotes
	Name     string // the name with \" unescaped
}

// RegexLit is a /regex/ literal, compiled when parsed.
type RegexLit struct {
	ValuePos Pos
	Lit      string         // the source text with its slashes
	Pattern  string         // the pattern as compiled: the text between the slashes with \/ unescaped
	Regexp   *regexp.Regexp // never nil in a parsed tree
}

// BoolLit is TRUE or FALSE.
type BoolLit struct {
	ValuePos Pos
	Value    bool
}

// Star is the star literal "*", as in groupBy(*).
type Star struct {
	Star Pos
}

// ListLit is a list "[a, 'b', *]". Kapacitor allows only identifiers,
// strings and stars as elements; the parser enforces it.
type ListLit struct {
	Lbrack Pos
	Elems  []Expr
	Rbrack Pos
}

// Lambda is "lambda: Body".
type Lambda struct {
	Lambda Pos // position of "lambda:"
	Body   Expr
}

// Pos returns the start of the name.
func (x *Ident) Pos() Pos { return x.NamePos }

// End returns the end of the name.
func (x *Ident) End() Pos { return x.NamePos + Pos(len(x.Name)) }

// Pos returns the start of the literal.
func (x *IntLit) Pos() Pos { return x.ValuePos }

// End returns the end of the literal.
func (x *IntLit) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the start of the literal.
func (x *FloatLit) Pos() Pos { return x.ValuePos }

// End returns the end of the literal.
func (x *FloatLit) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the start of the literal.
func (x *DurationLit) Pos() Pos { return x.ValuePos }

// End returns the end of the literal.
func (x *DurationLit) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the position of the opening quote.
func (x *StringLit) Pos() Pos { return x.ValuePos }

// End returns the position after the closing quote.
func (x *StringLit) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the position of the opening quote.
func (x *Reference) Pos() Pos { return x.ValuePos }

// End returns the position after the closing quote.
func (x *Reference) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the position of the opening slash.
func (x *RegexLit) Pos() Pos { return x.ValuePos }

// End returns the position after the closing slash.
func (x *RegexLit) End() Pos { return x.ValuePos + Pos(len(x.Lit)) }

// Pos returns the start of TRUE or FALSE.
func (x *BoolLit) Pos() Pos { return x.ValuePos }

// End returns the end of TRUE or FALSE.
func (x *BoolLit) End() Pos {
	if x.Value {
		return x.ValuePos + 4
	}
	return x.ValuePos + 5
}

// Pos returns the position of "*".
func (x *Star) Pos() Pos { return x.Star }

// End returns the position after "*".
func (x *Star) End() Pos { return x.Star + 1 }

// Pos returns the position of "[".
func (x *ListLit) Pos() Pos { return x.Lbrack }

// End returns the position after "]".
func (x *ListLit) End() Pos { return x.Rbrack + 1 }

// Pos returns the position of "lambda:".
func (x *Lambda) Pos() Pos { return x.Lambda }

// End returns the end of the body.
func (x *Lambda) End() Pos { return x.Body.End() }

// ---------------------------------------------------------------------------
// Operators and calls

// BinaryExpr is "X Op Y".
type BinaryExpr struct {
	X     Expr
	OpPos Pos
	Op    Op // one of the 15 binary operators
	Y     Expr
}

// UnaryExpr is "-X" or "!X".
type UnaryExpr struct {
	OpPos Pos
	Op    Op // SUB or NOT
	X     Expr
}

// ParenExpr is "(X)".
type ParenExpr struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// CallExpr is a call of a global function "Fun(Args)": time(…) at the top
// level, or a builtin function such as sigma("x") inside a lambda.
type CallExpr struct {
	Fun    *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// ChainCall is "X|Name(Args)": it creates a new pipeline node below X.
type ChainCall struct {
	X      Expr
	Pipe   Pos // position of "|"
	Name   *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// PropertyCall is "X.Name(Args)": it sets a property of the node X.
type PropertyCall struct {
	X      Expr
	Dot    Pos // position of "."
	Name   *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// PropertyRead is "X.Name" without parentheses: it reads a property.
type PropertyRead struct {
	X    Expr
	Dot  Pos // position of "."
	Name *Ident
}

// UDFCall is "X@Name(Args)": it creates a user-defined-function node below X.
type UDFCall struct {
	X      Expr
	At     Pos // position of "@"
	Name   *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// Pos returns the start of the left operand.
func (x *BinaryExpr) Pos() Pos { return x.X.Pos() }

// End returns the end of the right operand.
func (x *BinaryExpr) End() Pos { return x.Y.End() }

// Pos returns the position of the operator.
func (x *UnaryExpr) Pos() Pos { return x.OpPos }

// End returns the end of the operand.
func (x *UnaryExpr) End() Pos { return x.X.End() }

// Pos returns the position of "(".
func (x *ParenExpr) Pos() Pos { return x.Lparen }

// End returns the position after ")".
func (x *ParenExpr) End() Pos { return x.Rparen + 1 }

// Pos returns the start of the function name.
func (x *CallExpr) Pos() Pos { return x.Fun.Pos() }

// End returns the position after ")".
func (x *CallExpr) End() Pos { return x.Rparen + 1 }

// Pos returns the start of the chain's receiver.
func (x *ChainCall) Pos() Pos { return x.X.Pos() }

// End returns the position after ")".
func (x *ChainCall) End() Pos { return x.Rparen + 1 }

// Pos returns the start of the receiver.
func (x *PropertyCall) Pos() Pos { return x.X.Pos() }

// End returns the position after ")".
func (x *PropertyCall) End() Pos { return x.Rparen + 1 }

// Pos returns the start of the receiver.
func (x *PropertyRead) Pos() Pos { return x.X.Pos() }

// End returns the end of the property name.
func (x *PropertyRead) End() Pos { return x.Name.End() }

// Pos returns the start of the receiver.
func (x *UDFCall) Pos() Pos { return x.X.Pos() }

// End returns the position after ")".
func (x *UDFCall) End() Pos { return x.Rparen + 1 }

func (*Ident) exprNode()        {}
func (*IntLit) exprNode()       {}
func (*FloatLit) exprNode()     {}
func (*DurationLit) exprNode()  {}
func (*StringLit) exprNode()    {}
func (*Reference) exprNode()    {}
func (*RegexLit) exprNode()     {}
func (*BoolLit) exprNode()      {}
func (*Star) exprNode()         {}
func (*ListLit) exprNode()      {}
func (*Lambda) exprNode()       {}
func (*BinaryExpr) exprNode()   {}
func (*UnaryExpr) exprNode()    {}
func (*ParenExpr) exprNode()    {}
func (*CallExpr) exprNode()     {}
func (*ChainCall) exprNode()    {}
func (*PropertyCall) exprNode() {}
func (*PropertyRead) exprNode() {}
func (*UDFCall) exprNode()      {}
