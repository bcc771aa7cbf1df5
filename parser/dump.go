package parser

import (
	"fmt"
	"strings"
)

// Dump returns an indented, deterministic listing of the script's tree: one
// node per line with its kind, its position as LINE:COL and its decoded
// value. Parser goldens compare it.
func Dump(s *Script) string {
	d := &dumper{file: s.File}
	for _, st := range s.Stmts {
		d.stmt(st, 0)
	}
	for _, g := range s.Comments {
		for _, c := range g.List {
			d.line(0, c.Pos(), "Comment %q", c.Text)
		}
	}
	return d.b.String()
}

// DumpExpr is Dump for one expression, with positions resolved in f.
func DumpExpr(x Expr, f *File) string {
	d := &dumper{file: f}
	d.expr(x, 0)
	return d.b.String()
}

type dumper struct {
	file  *File
	b     strings.Builder
	label string // printed before the next node's kind, such as "arg "
}

func (d *dumper) line(depth int, pos Pos, format string, args ...any) {
	p := d.file.Position(pos)
	fmt.Fprintf(&d.b, "%s%d:%d %s", strings.Repeat("  ", depth), p.Line, p.Column, d.label)
	d.label = ""
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) stmt(s Stmt, depth int) {
	switch s := s.(type) {
	case *VarDecl:
		d.line(depth, s.Pos(), "VarDecl %s doc=%q", s.Name.Name, s.Doc.Text())
		d.expr(s.Value, depth+1)
	case *TypeDecl:
		d.line(depth, s.Pos(), "TypeDecl %s %s doc=%q", s.Name.Name, s.Type.Name, s.Doc.Text())
	case *DBRPStmt:
		d.line(depth, s.Pos(), "DBRP %q.%q", s.DB.Name, s.RP.Name)
	case *ExprStmt:
		d.line(depth, s.Pos(), "ExprStmt")
		d.expr(s.X, depth+1)
	}
}

// args dumps call arguments, each labelled "arg".
func (d *dumper) args(xs []Expr, depth int) {
	for _, x := range xs {
		d.label = "arg "
		d.expr(x, depth)
	}
}

func (d *dumper) expr(x Expr, depth int) {
	switch x := x.(type) {
	case *Ident:
		d.line(depth, x.Pos(), "Ident %s", x.Name)
	case *IntLit:
		d.line(depth, x.Pos(), "Int %s = %d", x.Lit, x.Value)
	case *FloatLit:
		d.line(depth, x.Pos(), "Float %s = %v", x.Lit, x.Value)
	case *DurationLit:
		d.line(depth, x.Pos(), "Duration %s = %v", x.Lit, x.Value)
	case *StringLit:
		d.line(depth, x.Pos(), "String triple=%v %q", x.Triple, x.Value)
	case *Reference:
		d.line(depth, x.Pos(), "Reference %q", x.Name)
	case *RegexLit:
		d.line(depth, x.Pos(), "Regex %q", x.Pattern)
	case *BoolLit:
		d.line(depth, x.Pos(), "Bool %v", x.Value)
	case *Star:
		d.line(depth, x.Pos(), "Star")
	case *ListLit:
		d.line(depth, x.Pos(), "List")
		for _, e := range x.Elems {
			d.expr(e, depth+1)
		}
	case *Lambda:
		d.line(depth, x.Pos(), "Lambda")
		d.expr(x.Body, depth+1)
	case *BinaryExpr:
		d.line(depth, x.OpPos, "Binary %s", x.Op)
		d.expr(x.X, depth+1)
		d.expr(x.Y, depth+1)
	case *UnaryExpr:
		d.line(depth, x.Pos(), "Unary %s", x.Op)
		d.expr(x.X, depth+1)
	case *ParenExpr:
		d.line(depth, x.Pos(), "Paren")
		d.expr(x.X, depth+1)
	case *CallExpr:
		d.line(depth, x.Pos(), "Call %s", x.Fun.Name)
		d.args(x.Args, depth+1)
	case *ChainCall:
		d.line(depth, x.Pipe, "Chain |%s", x.Name.Name)
		d.expr(x.X, depth+1)
		d.args(x.Args, depth+1)
	case *PropertyCall:
		d.line(depth, x.Dot, "Property .%s", x.Name.Name)
		d.expr(x.X, depth+1)
		d.args(x.Args, depth+1)
	case *PropertyRead:
		d.line(depth, x.Dot, "PropertyRead .%s", x.Name.Name)
		d.expr(x.X, depth+1)
	case *UDFCall:
		d.line(depth, x.At, "UDF @%s", x.Name.Name)
		d.expr(x.X, depth+1)
		d.args(x.Args, depth+1)
	default:
		d.line(depth, NoPos, "%T", x)
	}
}
