package parser

import (
	"fmt"
	"strings"
	"testing"
)

// TestMalformed checks the exact diagnostics of malformed scripts: syntax
// errors first, scope errors of scripts that parse.
func TestMalformed(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"var a = 1\n\nvar a = 2", "bad.tick:3:5: cannot redefine a (declared at 1:5): vars are immutable"},
		{"stream\n    |from()\n        .where(lambda: \"x\" >)\n", "bad.tick:3:29: unexpected \")\", expected expression"},
		{"var a = 'x\n", "bad.tick:1:9: unterminated string"},
		{"// c\nvar a = 1\n  var b = (2\n", "bad.tick:4:1: unexpected end of file, expected \")\""},
		{"var a = 1\tvar b = )", "bad.tick:1:19: unexpected \")\", expected expression"},
		{"var", "bad.tick:1:4: unexpected end of file, expected var name"},
		{"var x", "bad.tick:1:6: unexpected end of file, expected \"=\" or a type name"},
		{"var x =", "bad.tick:1:8: unexpected end of file, expected expression"},
		{"var 5 = 1", "bad.tick:1:5: unexpected integer 5, expected var name"},
		{"var x = 1 var y", "bad.tick:1:16: unexpected end of file, expected \"=\" or a type name"},
		{"dbrp", "bad.tick:1:5: unexpected end of file, expected a \"database\" name in double quotes"},
		{"dbrp \"db\"", "bad.tick:1:10: unexpected end of file, expected \".\" between database and retention policy"},
		{"dbrp \"db\".", "bad.tick:1:11: unexpected end of file, expected a \"retention policy\" name in double quotes"},
		{"dbrp 'db'.'rp'", "bad.tick:1:6: unexpected string 'db', expected a \"database\" name in double quotes"},
		{"dbrp \"db\".\"rp\".x", "bad.tick:1:15: unexpected \".\", expected expression"},
		{"stream|", "bad.tick:1:8: unexpected end of file, expected node name after |"},
		{"stream|from", "bad.tick:1:12: unexpected end of file, expected \"(\" after from"},
		{"stream|from(", "bad.tick:1:13: unexpected end of file, expected expression"},
		{"stream|from().", "bad.tick:1:15: unexpected end of file, expected property name after ."},
		{"stream@", "bad.tick:1:8: unexpected end of file, expected UDF name after @"},
		{"stream@udf", "bad.tick:1:11: unexpected end of file, expected \"(\" after udf"},
		{"stream|from().where(lambda:)", "bad.tick:1:28: unexpected \")\", expected expression"},
		{"stream|from().where(lambda: )", "bad.tick:1:29: unexpected \")\", expected expression"},
		{"stream|from(,)", "bad.tick:1:13: unexpected \",\", expected expression"},
		{"stream|from(1,,2)", "bad.tick:1:15: unexpected \",\", expected expression"},
		{"var x = (", "bad.tick:1:10: unexpected end of file, expected expression"},
		{"var x = ()", "bad.tick:1:10: unexpected \")\", expected expression"},
		{"var x = (1", "bad.tick:1:11: unexpected end of file, expected \")\""},
		{"var x = 1 +", "bad.tick:1:12: unexpected end of file, expected expression"},
		{"var x = 'unterminated", "bad.tick:1:9: unterminated string"},
		{"var x = '''unterminated", "bad.tick:1:9: unterminated string"},
		{"var x = \"unterminated", "bad.tick:1:9: unterminated reference"},
		{"var x = /unterminated", "bad.tick:1:9: unterminated regex"},
		{"var x = /[/", "bad.tick:1:9: invalid regex /[/: missing closing ]: `[`"},
		{"var x = 1.2.3", "bad.tick:1:9: invalid number \"1.2.3\": more than one decimal point"},
		{"var x = 1e3", "bad.tick:1:9: invalid number \"1e3\": exponents are not supported"},
		{"var x = 2E5", "bad.tick:1:9: invalid number \"2E5\": exponents are not supported"},
		{"var x = 1.5s", "bad.tick:1:9: invalid duration \"1.5s\": durations must be integers"},
		{"var x = 1h30m", "bad.tick:1:9: invalid duration \"1h30m\": a duration is an integer and one unit among u, µ, ms, s, m, h, d, w"},
		{"var x = 5x", "bad.tick:1:9: invalid number \"5x\": a duration ends in one unit among u, µ, ms, s, m, h, d, w"},
		{"var x = 09", "bad.tick:1:9: invalid octal integer 09"},
		{"var x = 9223372036854775808", "bad.tick:1:9: integer 9223372036854775808 out of range"},
		{"var x = 9999999999999999999w", "bad.tick:1:9: duration 9999999999999999999w out of range"},
		{"var x = [", "bad.tick:1:10: unexpected end of file, expected identifier, string or * in list"},
		{"var x = [a b]", "bad.tick:1:12: unexpected identifier \"b\", expected \",\" or \"]\""},
		{"var x = [1]", "bad.tick:1:10: unexpected integer 1, expected identifier, string or * in list"},
		{"var x = [lambda: 1]", "bad.tick:1:10: unexpected \"lambda:\", expected identifier, string or * in list"},
		{"var x = ]", "bad.tick:1:9: unexpected \"]\", expected expression"},
		{"var x = )", "bad.tick:1:9: unexpected \")\", expected expression"},
		{"var x = ,", "bad.tick:1:9: unexpected \",\", expected expression"},
		{"var x = $", "bad.tick:1:9: unexpected character '$'"},
		{"var x = _a", "bad.tick:1:9: identifiers cannot start with '_'"},
		{"var x = 1 == = 2", "bad.tick:1:14: unexpected character '='"},
		{"var x = lambda: \"a\" |from()", "bad.tick:1:21: unexpected \"|\", expected expression"},
		{"var x = stream|from().measurement('m') + 1", "bad.tick:1:40: unexpected \"+\", expected expression"},
		{"var x = !", "bad.tick:1:10: unexpected end of file, expected expression"},
		{"var x = -", "bad.tick:1:10: unexpected end of file, expected expression"},
		{"var x = @udf()", "bad.tick:1:9: unexpected \"@\", expected expression"},
		{"var x = .prop()", "bad.tick:1:9: unexpected \".\", expected expression"},
		{"var x = |from()", "bad.tick:1:9: unexpected \"|\", expected expression"},
		{"var x =~ /a/", "bad.tick:1:7: unexpected \"=~\", expected \"=\" or a type name"},
		{"var x int extra", "bad.tick:1:11: undefined identifier extra"},
		{"stream|from().where(lambda: \"a\" = 1)", "bad.tick:1:33: unexpected \"=\", expected \",\" or \")\""},
		{"var x int extra", "bad.tick:1:11: undefined identifier extra"},
		{"var stream = 1", "bad.tick:1:5: cannot redefine predeclared stream: vars are immutable"},
		{"var batch TYPE", "bad.tick:1:5: cannot redefine predeclared batch: vars are immutable\nbad.tick:1:11: invalid type \"TYPE\" for var batch; expected one of int, float, bool, string, regex, duration, lambda, list, star"},
		{"stream|where(lambda: \"v\" > tresh)", "bad.tick:1:28: undefined identifier tresh"},
		{"stream|from().groupBy(hots)", "bad.tick:1:23: undefined identifier hots"},
		{"stream|window().period(sigma(1.0))", "bad.tick:1:24: unknown global function sigma(); only time() can be called outside a lambda or an operator expression"},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		got := diagnose("bad.tick", []byte(tt.src)).Error()
		if got != tt.want {
			t.Errorf("%q:\n got: %s\nwant: %s", tt.src, got, tt.want)
		}
	}
}

// TestErrorCap checks that a script with many errors reports all of them,
// sorted, and prints the first MaxErrors followed by a count of the rest.
func TestErrorCap(t *testing.T) {
	var src strings.Builder
	for i := 15; i > 0; i-- {
		fmt.Fprintf(&src, "var v%d = )\n", i)
	}
	_, err := ParseFile("many.tick", []byte(src.String()))
	list, ok := err.(ErrorList)
	if !ok || len(list) != 15 {
		t.Fatalf("want 15 errors, got %v", err)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Pos.Line <= list[i-1].Pos.Line {
			t.Fatalf("errors not sorted: %v before %v", list[i-1], list[i])
		}
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 {
		t.Fatalf("want %d lines, got %d:\n%s", MaxErrors+1, len(lines), err)
	}
	if lines[0] != `many.tick:1:11: unexpected ")", expected expression` {
		t.Errorf("first line: %s", lines[0])
	}
	if want := "and 5 more errors"; lines[MaxErrors] != want {
		t.Errorf("last line %q, want %q", lines[MaxErrors], want)
	}
}

// TestRender checks the caret snippet under a diagnostic.
func TestRender(t *testing.T) {
	src := "stream\n\t|from()\n\t\t.where(lambda: \"x\" > µ1 AND )\n"
	_, err := ParseFile("r.tick", []byte(src))
	list, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	got := list.Render(NewFile("r.tick", []byte(src)))
	// The column counts bytes (µ has two); the caret lines up by runes.
	want := "r.tick:3:32: unexpected \")\", expected expression\n" +
		"  | \t\t.where(lambda: \"x\" > µ1 AND )\n" +
		"  | \t\t                            ^\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestDeepNesting checks that absurd nesting is an error, not a stack
// overflow, and that the parser goes on after it.
func TestDeepNesting(t *testing.T) {
	src := "var a = " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + "\nvar b = ) \n"
	_, err := ParseFile("deep.tick", []byte(src))
	want := "deep.tick:1:1008: expression nested too deeply (more than 1000 levels)\n" +
		"deep.tick:2:9: unexpected \")\", expected expression"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want:\n%s", err, want)
	}
	if _, err := ParseExpr(strings.Repeat("-", 900) + "1"); err != nil {
		t.Errorf("900 unary minuses: %v", err)
	}
}

// TestLongTokenInMessage checks that a long literal is shortened in a
// message without splitting a character.
func TestLongTokenInMessage(t *testing.T) {
	_, err := ParseFile("l.tick", []byte("dbrp 'ééééééééééééééééééééééééé'"))
	want := `l.tick:1:6: unexpected string 'ééééééééééééééééééé..., expected a "database" name in double quotes`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
