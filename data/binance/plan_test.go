package binance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestPlan: whole months that have ended come monthly, the rest daily;
// funding is monthly only, and its unpublished months are returned.
func TestPlan(t *testing.T) {
	names := func(fs []archiveFile) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.period.String())
		}
		return strings.Join(s, " ")
	}
	today := day("2024-03-10")
	files, unpub := plan(Klines, "BTCUSDT", "5m", day("2023-11-28"), day("2024-03-02"), today)
	if got, want := names(files), "2023-11-28 2023-11-29 2023-11-30 2023-12 2024-01 2024-02 2024-03-01 2024-03-02"; got != want || unpub != nil {
		t.Errorf("klines: %s (unpublished %v), want %s", got, unpub, want)
	}
	if got := files[0].path(); got != "data/futures/um/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2023-11-28.zip" {
		t.Errorf("daily path %s", got)
	}
	if got := files[3].path(); got != "data/futures/um/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2023-12.zip" {
		t.Errorf("monthly path %s", got)
	}
	files, unpub = plan(FundingRate, "BTCUSDT", "5m", day("2023-11-28"), day("2024-03-02"), today)
	if got, want := names(files), "2023-11 2023-12 2024-01 2024-02"; got != want || len(unpub) != 1 || unpub[0].String() != "2024-03" {
		t.Errorf("funding: %s (unpublished %v), want %s and 2024-03", got, unpub, want)
	}
	if got := files[0].path(); got != "data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-2023-11.zip" {
		t.Errorf("funding path %s", got)
	}
	// A month that ends on the last day of the range but today is its
	// last day (not ended) comes daily.
	files, _ = plan(MarkPriceKlines, "ETHUSDT", "1h", day("2024-02-01"), day("2024-02-28"), day("2024-02-29"))
	if len(files) != 28 || files[0].path() != "data/futures/um/daily/markPriceKlines/ETHUSDT/1h/ETHUSDT-1h-2024-02-01.zip" {
		t.Errorf("current month: %d files, first %s", len(files), files[0].path())
	}
	if !recentMonth(period{2024, 2, 0}, day("2024-03-10")) || recentMonth(period{2024, 1, 0}, day("2024-03-10")) || recentMonth(period{2024, 2, 3}, day("2024-03-10")) {
		t.Error("recentMonth")
	}
}

func TestEpoch(t *testing.T) {
	for in, want := range map[string]int64{
		"1672531200000":    1672531200000 * 1e6,    // ms
		"1735689600000000": 1735689600000000 * 1e3, // µs
		" 1577836800000 ":  1577836800000 * 1e6,
	} {
		if got, err := epochNS(in); err != nil || got != want {
			t.Errorf("epochNS(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"1672531200", "2023-01-01", "", "1.6e12", "99999999999999999999"} {
		if _, err := epochNS(bad); err == nil {
			t.Errorf("epochNS(%q) accepted", bad)
		}
	}
}

func TestParseChecksum(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	if got, err := parseChecksum([]byte(sum+"  X.zip\n"), "X.zip"); err != nil || got != sum {
		t.Errorf("%q %v", got, err)
	}
	if got, err := parseChecksum([]byte(strings.ToUpper(sum)+"\n"), "X.zip"); err != nil || got != sum {
		t.Errorf("bare upper-case sum: %q %v", got, err)
	}
	for _, bad := range []string{"", "<html>404</html>", sum[:60] + "  X.zip", strings.Repeat("zz", 32) + "  X.zip", sum + "  Y.zip"} {
		if _, err := parseChecksum([]byte(bad), "X.zip"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSpans(t *testing.T) {
	ps := []period{{2023, 1, 0}, {2023, 2, 0}, {2023, 3, 0}, {2023, 5, 0}, {2023, 6, 1}, {2023, 6, 2}, {2023, 6, 4}}
	if got, want := spans(ps), "2023-01 to 2023-03, 2023-05 to 2023-06-02, 2023-06-04"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestDefaultClientProxy: the default client takes its proxy from
// HTTPS_PROXY and friends.
func TestDefaultClientProxy(t *testing.T) {
	tr, ok := DefaultClient().Transport.(*http.Transport)
	if !ok || tr.Proxy == nil || reflect.ValueOf(tr.Proxy).Pointer() != reflect.ValueOf(http.ProxyFromEnvironment).Pointer() {
		t.Error("the default transport does not use http.ProxyFromEnvironment")
	}
}

func TestCheckRequest(t *testing.T) {
	opt := Options{CacheDir: "c", OutDir: "o"}
	err := checkRequest(Request{Symbols: []string{"btcusdt", "ETHUSDT", "ETHUSDT"}, Interval: "7m", From: day("2024-02-01"), To: day("2024-01-01")}, opt)
	for _, want := range []string{`symbol "btcusdt"`, "ETHUSDT given twice", `interval "7m"`, "starts 2024-02-01, after its end 2024-01-01"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if err := checkRequest(Request{Symbols: []string{"BTCUSDT_250328", "1000PEPEUSDT"}, Interval: "1h", From: day("2024-01-01"), To: day("2024-01-01")}, opt); err != nil {
		t.Error(err)
	}
}
