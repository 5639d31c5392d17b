package pay_test

import (
	"fmt"
	"net/http"

	"github.com/curatorops/curatorops/app/apptest"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)

func ifMatch(v any) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%v"`, v)) }

// referenceSpec is a scheme like the reference school's: a fixed part,
// a piece rate per reviewed homework and KPI bonuses for completion, CSI
// and cases.
func referenceSpec() map[string]any {
	return map[string]any{"components": []any{
		map[string]any{"key": "fixed", "title": "Оклад", "kind": "fixed", "amount": 3_000_000},
		map[string]any{"key": "reviews", "title": "Проверка ДЗ", "kind": "piece", "resubmissions": "first_only",
			"rates": []any{map[string]any{"assignment_type": "essay", "rate": 15_000}, map[string]any{"assignment_type": "*", "rate": 5_000}}},
		map[string]any{"key": "completion", "title": "Доходимость до модуля 3", "kind": "kpi", "metric": "completion", "module": 3,
			"direction": "higher", "min_sample": 10, "default_amount": 100_000, "weight": "1", "tier_mode": "step",
			"tiers": []any{map[string]any{"from": "0", "to": "50", "amount": 0}, map[string]any{"from": "50", "to": "70", "amount": 500_000},
				map[string]any{"from": "70", "amount": 1_000_000}}},
		map[string]any{"key": "csi", "title": "CSI", "kind": "kpi", "metric": "csi", "direction": "higher", "min_sample": 5,
			"default_amount": 0, "weight": "0.5", "tier_mode": "interpolated",
			"tiers": []any{map[string]any{"from": "0", "to": "80", "amount": 0}, map[string]any{"from": "80", "amount": 600_000}}},
		map[string]any{"key": "cases", "title": "Кейсы", "kind": "kpi", "metric": "cases_video", "direction": "higher", "weight": "1",
			"tier_mode": "progressive", "tiers": []any{map[string]any{"from": "0", "amount": 100_000}}, "cap": 1_000_000},
	}}
}

type version struct {
	ID      string `json:"id"`
	Number  int    `json:"number"`
	Used    bool   `json:"used"`
	Version int64  `json:"version"`
	Spec    struct {
		Components []map[string]any `json:"components"`
	} `json:"spec"`
}

type scheme struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Versions []version `json:"versions"`
}
