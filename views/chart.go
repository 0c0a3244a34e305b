package views

import (
	"math"
	"strconv"
	"strings"
)

// UsageChart is a token's requests per day, drawn on the server as an SVG
// bar chart that reads without JavaScript: its title carries every number.
type UsageChart struct {
	// ID prefixes the SVG's element ids; unique on the page.
	ID    string
	Days  []ChartDay // oldest first
	Total int64
}

// ChartDay is one day's bar.
type ChartDay struct {
	Day      string // 2026-11-22 (UTC)
	Requests int64
}

// SparklineData is a small line of requests per day for a table row.
type SparklineData struct {
	From, To string  // first and last day, 2026-11-22
	Counts   []int64 // oldest first
}

// The chart's drawing area, in SVG user units; the SVG scales to its box.
const (
	chartWidth  = 600
	chartHeight = 160
	plotLeft    = 48
	plotRight   = 596
	plotTop     = 12
	plotBottom  = 130
	labelY      = 150

	sparkWidth  = 96
	sparkHeight = 24
)

// chartBar is one day's bar and its hover area, in SVG units.
type chartBar struct {
	SlotX, SlotW string // the whole day's column, for hover
	X, Y, W, H   string
	Title        string
}

// From is the first day shown.
func (c UsageChart) From() string { return dayAt(c.Days, 0) }

// To is the last day shown.
func (c UsageChart) To() string { return dayAt(c.Days, len(c.Days)-1) }

func dayAt(days []ChartDay, i int) string {
	if i < 0 || i >= len(days) {
		return ""
	}
	return days[i].Day
}

// Max is the busiest day's count.
func (c UsageChart) Max() int64 {
	var m int64
	for _, d := range c.Days {
		m = max(m, d.Requests)
	}
	return m
}

// Title is the chart's text: every day's count and the total.
func (c UsageChart) Title() string {
	counts := make([]int64, len(c.Days))
	for i, d := range c.Days {
		counts[i] = d.Requests
	}
	return seriesText(c.From(), c.To(), counts, c.Total)
}

// Desc says how to read the chart and names the busiest day.
func (c UsageChart) Desc() string {
	best := ChartDay{}
	for _, d := range c.Days {
		if d.Requests > best.Requests {
			best = d
		}
	}
	return "One bar per day (UTC). The busiest day, " + best.Day + ", had " + requests(best.Requests) + "."
}

// bars lays out one bar per day, scaled to the busiest day; a day with any
// requests is at least one unit tall so it never looks empty.
func (c UsageChart) bars() []chartBar {
	n := len(c.Days)
	if n == 0 {
		return nil
	}
	top := c.Max()
	slot := float64(plotRight-plotLeft) / float64(n)
	out := make([]chartBar, n)
	for i, d := range c.Days {
		h := 0.0
		if top > 0 && d.Requests > 0 {
			h = max(1, float64(d.Requests)/float64(top)*float64(plotBottom-plotTop))
		}
		x := float64(plotLeft) + float64(i)*slot
		out[i] = chartBar{SlotX: num(x), SlotW: num(slot), X: num(x + slot*0.15), W: num(slot * 0.7),
			Y: num(float64(plotBottom) - h), H: num(h), Title: d.Day + ": " + requests(d.Requests)}
	}
	return out
}

// Title is the sparkline's text: every day's count and the total.
func (s SparklineData) Title() string {
	var total int64
	for _, n := range s.Counts {
		total += n
	}
	return seriesText(s.From, s.To, s.Counts, total)
}

// points is the polyline through the days, scaled to the busiest one; a
// line along the bottom when there were no requests.
func (s SparklineData) points() string {
	var top int64
	for _, n := range s.Counts {
		top = max(top, n)
	}
	step := 0.0
	if len(s.Counts) > 1 {
		step = float64(sparkWidth-2) / float64(len(s.Counts)-1)
	}
	var b strings.Builder
	for i, n := range s.Counts {
		y := float64(sparkHeight - 1)
		if top > 0 {
			y -= float64(n) / float64(top) * float64(sparkHeight-2)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(1+float64(i)*step) + "," + num(y))
	}
	return b.String()
}

// seriesText is "Requests per day from 2026-10-24 to 2026-11-22: 0, 3, …;
// total 120".
func seriesText(from, to string, counts []int64, total int64) string {
	parts := make([]string, len(counts))
	for i, n := range counts {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return "Requests per day from " + from + " to " + to + ": " + strings.Join(parts, ", ") + "; total " + strconv.FormatInt(total, 10)
}

func requests(n int64) string {
	if n == 1 {
		return "1 request"
	}
	return strconv.FormatInt(n, 10) + " requests"
}

// num prints an SVG coordinate with at most two decimals.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }
