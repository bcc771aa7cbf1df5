package parser

import (
	"fmt"
	"sort"
	"strings"
)

// VarTypes are the type names a "var x TYPE" declaration accepts.
var VarTypes = []string{"int", "float", "bool", "string", "regex", "duration", "lambda", "list", "star"}

// Predeclared are the identifiers in scope before the first statement: the
// source node of a stream task and of a batch task.
var Predeclared = []string{"stream", "batch"}

// GlobalFuncs are the functions callable outside lambdas and operator
// expressions: only time(length[, offset]).
var GlobalFuncs = []string{"time"}

// Check reports the errors of s that need no pipeline model, in source order:
// a var declared twice ("vars are immutable", the predeclared stream and batch
// included), an identifier used before any var declares it, a call of an
// unknown global function, an unknown type in "var x TYPE", a list var used
// inside an expression, and an empty dbrp name.
//
// Identifiers inside lambdas refer to vars, as everywhere else; the names of
// functions, nodes and properties are not identifiers. A "var x TYPE" with no
// value declares x: the stage that needs the value reports its absence.
func Check(s *Script) ErrorList {
	c := &checker{file: s.File, vars: map[string]*varInfo{}}
	for _, name := range Predeclared {
		c.vars[name] = &varInfo{}
	}
	for _, st := range s.Stmts {
		c.stmt(st)
	}
	c.errs.Sort()
	return c.errs
}

type varInfo struct {
	pos  Pos  // where it is declared; NoPos for a predeclared name
	list bool // its value is a list
}

type checker struct {
	file *File
	vars map[string]*varInfo
	errs ErrorList
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.errs.Addf(c.file.Position(pos), format, args...)
}

func (c *checker) declare(name *Ident, list bool) {
	if prev, ok := c.vars[name.Name]; ok {
		if prev.pos.IsValid() {
			p := c.file.Position(prev.pos)
			c.errorf(name.Pos(), "cannot redefine %s (declared at %d:%d): vars are immutable", name.Name, p.Line, p.Column)
		} else {
			c.errorf(name.Pos(), "cannot redefine predeclared %s: vars are immutable", name.Name)
		}
		return
	}
	c.vars[name.Name] = &varInfo{pos: name.Pos(), list: list}
}

func (c *checker) stmt(s Stmt) {
	switch s := s.(type) {
	case *VarDecl:
		c.expr(s.Value, false)
		_, list := s.Value.(*ListLit)
		if id, ok := s.Value.(*Ident); ok {
			if v := c.vars[id.Name]; v != nil {
				list = v.list
			}
		}
		c.declare(s.Name, list)
	case *TypeDecl:
		if !contains(VarTypes, s.Type.Name) {
			c.errorf(s.Type.Pos(), "invalid type %q for var %s; expected one of %s", s.Type.Name, s.Name.Name, strings.Join(VarTypes, ", "))
		}
		c.declare(s.Name, s.Type.Name == "list")
	case *DBRPStmt:
		if s.DB.Name == "" {
			c.errorf(s.DB.Pos(), "dbrp: empty database name")
		}
		if s.RP.Name == "" {
			c.errorf(s.RP.Pos(), "dbrp: empty retention policy name")
		}
	case *ExprStmt:
		c.expr(s.X, false)
	}
}

// expr checks x; inExpr is true inside lambdas and operator expressions,
// where calls are lambda functions and list vars are not allowed.
func (c *checker) expr(x Expr, inExpr bool) {
	switch x := x.(type) {
	case *Ident:
		c.use(x, inExpr)
	case *ListLit:
		for _, e := range x.Elems {
			c.expr(e, inExpr)
		}
	case *Lambda:
		c.expr(x.Body, true)
	case *BinaryExpr:
		c.expr(x.X, true)
		c.expr(x.Y, true)
	case *UnaryExpr:
		c.expr(x.X, true)
	case *ParenExpr:
		c.expr(x.X, true)
	case *CallExpr:
		if !inExpr && !contains(GlobalFuncs, x.Fun.Name) {
			c.errorf(x.Fun.Pos(), "unknown global function %s(); only time() can be called outside a lambda or an operator expression", x.Fun.Name)
		}
		for _, a := range x.Args {
			c.expr(a, inExpr)
		}
	case *ChainCall:
		c.expr(x.X, false)
		c.args(x.Args)
	case *PropertyCall:
		c.expr(x.X, false)
		c.args(x.Args)
	case *PropertyRead:
		c.expr(x.X, false)
	case *UDFCall:
		c.expr(x.X, false)
		c.args(x.Args)
	}
}

func (c *checker) args(args []Expr) {
	for _, a := range args {
		c.expr(a, false)
	}
}

func (c *checker) use(id *Ident, inExpr bool) {
	v, ok := c.vars[id.Name]
	if !ok {
		msg := fmt.Sprintf("undefined identifier %s", id.Name)
		if s := c.suggest(id.Name); s != "" {
			msg += fmt.Sprintf("; did you mean %s?", s)
		}
		c.errorf(id.Pos(), "%s", msg)
		return
	}
	if inExpr && v.list {
		c.errorf(id.Pos(), "list var %s cannot be used in an expression", id.Name)
	}
}

// suggest returns the declared name closest to name when it is close enough
// to be a likely typo: at most one edit for names of up to five bytes, two
// beyond. Names shorter than three bytes get no suggestion.
func (c *checker) suggest(name string) string {
	if len(name) < 3 {
		return ""
	}
	limit := 1
	if len(name) > 5 {
		limit = 2
	}
	names := make([]string, 0, len(c.vars))
	for n := range c.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestD := "", limit+1
	for _, n := range names {
		if len(n) > len(name)+limit || len(name) > len(n)+limit {
			continue
		}
		if d := EditDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// EditDistance is the Levenshtein distance between a and b, in bytes. The
// "did you mean" suggestions of every stage use it.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
