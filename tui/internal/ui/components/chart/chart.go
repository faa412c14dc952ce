// Package chart draws the per-day bar charts of the dashboard with
// lipgloss: one column per day (days are grouped when they do not fit),
// eighth-block bars, the series' maximum on the left, first and last date
// below.
package chart

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Series is one row of bars.
type Series struct {
	Label  string
	Values []float64 // one per day, oldest first
	Format func(float64) string
	Style  lipgloss.Style
}

var blocks = []rune(" ▁▂▃▄▅▆▇█")

// Bars draws series stacked, each height lines tall, in width columns,
// with the days' dates (oldest first) under the last one.
func Bars(c *common.Common, width, height int, days []time.Time, series ...Series) string {
	if len(days) == 0 || width < 20 || height < 1 {
		return ""
	}
	var b strings.Builder
	labelW := 4
	for _, s := range series {
		labelW = max(labelW, len(s.Label), len(format(s)(peakOf(s.Values))))
	}
	for si, s := range series {
		vals := s.Values
		top := format(s)(peakOf(vals))
		cols := max(width-labelW-1, 1)
		group := (len(vals) + cols - 1) / cols // days per column
		bars := groupSum(vals, max(group, 1))
		per := max(cols/max(len(bars), 1), 1) // columns per bar when they fit more than once
		per = min(per, 3)
		gpeak := 0.0
		for _, v := range bars {
			gpeak = max(gpeak, v)
		}
		for row := height - 1; row >= 0; row-- {
			label := ""
			switch row {
			case height - 1:
				label = s.Label
				if height == 1 {
					label = s.Label + " " + top
				}
			case height - 2:
				label = top
			}
			var line strings.Builder
			for _, v := range bars {
				r := cell(v, gpeak, height, row)
				for range per {
					line.WriteRune(r)
				}
			}
			b.WriteString(c.Styles.Dim.Render(common.PadLeft(label, labelW)) + " " + s.Style.Render(line.String()))
			b.WriteString("\n")
		}
		if si == len(series)-1 {
			first, last := days[0].UTC().Format("Jan 2"), days[len(days)-1].UTC().Format("Jan 2")
			span := max(len(bars)*per, len(first)+len(last)+1)
			gap := max(span-len(first)-len(last), 1)
			b.WriteString(strings.Repeat(" ", labelW+1) + c.Styles.Dim.Render(first+strings.Repeat(" ", gap)+last))
		}
	}
	return b.String()
}

// cell is the block for value v at row (0 = bottom) of a bar height rows tall.
func cell(v, peak float64, height, row int) rune {
	if peak <= 0 || v <= 0 {
		if row == 0 {
			return '▁'
		}
		return ' '
	}
	eighths := int(v / peak * float64(height*8))
	if eighths == 0 {
		eighths = 1
	}
	fill := eighths - row*8
	switch {
	case fill <= 0:
		return ' '
	case fill >= 8:
		return '█'
	}
	return blocks[fill]
}

func groupSum(vals []float64, group int) []float64 {
	var out []float64
	for i := 0; i < len(vals); i += group {
		sum := 0.0
		for _, v := range vals[i:min(i+group, len(vals))] {
			sum += v
		}
		out = append(out, sum)
	}
	return out
}

func format(s Series) func(float64) string {
	if s.Format != nil {
		return s.Format
	}
	return func(v float64) string { return fmt.Sprintf("%.0f", v) }
}

func peakOf(vals []float64) float64 {
	peak := 0.0
	for _, v := range vals {
		peak = max(peak, v)
	}
	return peak
}
