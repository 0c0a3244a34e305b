package ui

import (
	"context"
	"time"

	"tokenward/views"
)

// usageDays is how many days (UTC, today included) the usage chart and the
// sparklines show.
const usageDays = 30

// usageChart is a token's requests per day over the last 30 days.
func (s *Server) usageChart(ctx context.Context, tokenID string, now time.Time) (views.UsageChart, error) {
	days, err := s.DB.UsageByDay(ctx, tokenID, now.AddDate(0, 0, 1-usageDays), now)
	if err != nil {
		return views.UsageChart{}, err
	}
	c := views.UsageChart{ID: "usage-chart"}
	for _, d := range days {
		c.Days = append(c.Days, views.ChartDay{Day: d.Day.Format(time.DateOnly), Requests: d.Requests})
		c.Total += d.Requests
	}
	return c, nil
}

// sparklines are the last 30 days of requests of a page of tokens, by token
// id, for table rows; one query for the whole page.
func (s *Server) sparklines(ctx context.Context, tokenIDs []string) (map[string]views.SparklineData, error) {
	counts, err := s.DB.UsageSparklines(ctx, tokenIDs, usageDays)
	if err != nil {
		return nil, err
	}
	today := s.DB.Now().UTC()
	from, to := today.AddDate(0, 0, 1-usageDays).Format(time.DateOnly), today.Format(time.DateOnly)
	out := make(map[string]views.SparklineData, len(counts))
	for id, c := range counts {
		out[id] = views.SparklineData{From: from, To: to, Counts: c}
	}
	return out, nil
}
