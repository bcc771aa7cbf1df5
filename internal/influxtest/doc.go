// Package influxtest gives the integration tests of tickc a real InfluxDB 1.8
// server.
//
// A test run shares one server: [Shared] returns the address in
// $TICKC_INFLUXDB_URL (set by `scripts/influxd.sh run`, which .ci/run and
// `make test` use), or else starts one server per test binary at its first
// use; [Main], called from the package's TestMain, stops it when the tests
// end. Tests on the shared server keep to databases (or tag values) of their
// own, from [Name], so they stay independent of each other and of earlier
// runs. A test that stops and restarts InfluxDB takes a server of its own
// from [Private].
//
// The binary is found in $TICKC_INFLUXD, in the cache directory
// scripts/influxd.sh installs it to ($TICKC_INFLUXD_CACHE, or the user cache
// directory's tickc/influxd), or on $PATH; without it the tests are skipped
// with a message saying how to install it. In -short mode they are skipped.
package influxtest
