package parser

// Op is a TICKscript operator: one of the 15 binary operators or the two
// unary ones.
type Op int

// The operators. The binary ones are listed from the loosest binding to the
// tightest (see Precedence).
const (
	ILLEGAL  Op = iota
	OR          // OR
	AND         // AND
	EQL         // ==
	NEQ         // !=
	MATCH       // =~
	NOTMATCH    // !~
	LSS         // <
	LEQ         // <=
	GTR         // >
	GEQ         // >=
	ADD         // +
	SUB         // -
	MUL         // *
	QUO         // /
	REM         // %
	NOT         // ! (unary only)
)

var opText = [...]string{
	ILLEGAL:  "ILLEGAL",
	OR:       "OR",
	AND:      "AND",
	EQL:      "==",
	NEQ:      "!=",
	MATCH:    "=~",
	NOTMATCH: "!~",
	LSS:      "<",
	LEQ:      "<=",
	GTR:      ">",
	GEQ:      ">=",
	ADD:      "+",
	SUB:      "-",
	MUL:      "*",
	QUO:      "/",
	REM:      "%",
	NOT:      "!",
}

// String returns the operator as it is written in TICKscript.
func (op Op) String() string {
	if op < 0 || int(op) >= len(opText) {
		return "ILLEGAL"
	}
	return opText[op]
}

// Precedence returns the binding strength of a binary operator, as
// Kapacitor's parser defines it: 0 for OR, 1 for AND, 2 for == != =~ !~,
// 3 for < <= > >=, 4 for + -, 5 for * / %. It returns -1 for an operator that
// is not binary.
func (op Op) Precedence() int {
	switch op {
	case OR:
		return 0
	case AND:
		return 1
	case EQL, NEQ, MATCH, NOTMATCH:
		return 2
	case LSS, LEQ, GTR, GEQ:
		return 3
	case ADD, SUB:
		return 4
	case MUL, QUO, REM:
		return 5
	}
	return -1
}

// IsBinary reports whether op is one of the 15 binary operators.
func (op Op) IsBinary() bool { return op.Precedence() >= 0 }
