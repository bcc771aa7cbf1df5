package stdlib_test

import (
	"fmt"

	"github.com/tickc/tickc/stdlib"
)

// What generated code does for lambda: sigma("usage") > 3.0 AND "host" == 'a':
// resolve every reference first, check the operand types of AND, then
// short-circuit.
func Example() {
	sigma := stdlib.NewSigmaState() // one per expression instance
	eval := func(usage stdlib.Value, host string) (stdlib.Value, error) {
		u, err := stdlib.ResolveRef("usage", usage, !usage.IsMissing(), "", false)
		if err != nil {
			return stdlib.Missing, err
		}
		h, err := stdlib.ResolveRef("host", stdlib.Missing, false, host, true)
		if err != nil {
			return stdlib.Missing, err
		}
		// Both operands of AND are comparisons: boolean without evaluation.
		if err := stdlib.CheckLogical(stdlib.OpAnd, stdlib.Zero(stdlib.TypeBool), stdlib.Zero(stdlib.TypeBool)); err != nil {
			return stdlib.Missing, err
		}
		s, err := sigma.Call(u)
		if err != nil {
			return stdlib.Missing, stdlib.WithArgText(err, `"usage"`)
		}
		l, err := stdlib.Gt(s, stdlib.Float(3))
		if err != nil || !l.Bool() {
			return l, err
		}
		return stdlib.Eq(h, stdlib.String("a"))
	}
	for _, u := range []stdlib.Value{stdlib.Float(1), stdlib.Float(2), stdlib.Int(3), stdlib.Missing} {
		v, err := eval(u, "a")
		fmt.Println(v, err)
	}
	// Output:
	// boolean(false) <nil>
	// boolean(false) <nil>
	// missing Cannot call function "sigma" with args ("usage": int), available signatures are [(float)].
	// missing Cannot call function "sigma" argument "usage" is missing
}
