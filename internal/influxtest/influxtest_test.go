package influxtest

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestName(t *testing.T) {
	a, b := Name("house"), Name("house")
	if a == b {
		t.Errorf("Name gave %q twice", a)
	}
	if re := regexp.MustCompile(`^house_[0-9a-z]+_[0-9]+$`); !re.MatchString(a) {
		t.Errorf("Name(house) = %q: not a plain InfluxQL identifier", a)
	}
}

// TestShared writes into the shared server and reads the point back.
func TestShared(t *testing.T) {
	base := Shared(t)
	if again := Shared(t); again != base {
		t.Fatalf("second Shared = %s, first %s", again, base)
	}
	db := Name("influxtest")
	Query(t, base, "CREATE DATABASE "+db)
	Write(t, base, db, "s", "m,k=v x=1.5 60\n")
	series := Query(t, base, "SELECT x, k FROM "+db+"..m")
	if len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("series = %+v", series)
	}
	row := series[0].Values[0]
	if row[0] != "1970-01-01T00:01:00Z" || row[1] != json.Number("1.5") || row[2] != "v" {
		t.Errorf("row = %v", row)
	}
	if _, err := TryQuery(base, "SELECT nope FROM"); err == nil {
		t.Error("a bad statement gave no error")
	}
}
