package server

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// HealthBody reports the state of the process or its dependencies.
type HealthBody struct {
	Status string            `json:"status" enum:"ok,unavailable"`
	Checks map[string]string `json:"checks,omitempty"`
}

type healthOutput struct {
	Status int
	Body   HealthBody
}

// registerHealth adds liveness and readiness probes.
func registerHealth(api huma.API, db *bun.DB) {
	httpapi.DefineTag(api, "Operations", "Probes for load balancers and orchestrators.")
	healthSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(HealthBody{}), true, "")
	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"Operations"},
		Summary: "Liveness: the process answers", Description: "Answers 200 while the process runs; it touches no dependency.",
	}, func(context.Context, *struct{}) (*healthOutput, error) {
		return &healthOutput{Status: http.StatusOK, Body: HealthBody{Status: "ok"}}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Tags: []string{"Operations"},
		Summary:     "Readiness: the database answers and its migrations are current",
		Description: "Answers 503 while the database is unreachable or a migration is pending.",
		Responses: map[string]*huma.Response{"503": {
			Description: "Not ready; checks says which dependency failed.",
			Content:     map[string]*huma.MediaType{"application/json": {Schema: healthSchema}},
		}},
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		checks := readiness(ctx, db)
		for _, v := range checks {
			if v != "ok" {
				// The body says which check failed, for the operator.
				return &healthOutput{Status: http.StatusServiceUnavailable, Body: HealthBody{Status: "unavailable", Checks: checks}}, nil
			}
		}
		return &healthOutput{Status: http.StatusOK, Body: HealthBody{Status: "ok", Checks: checks}}, nil
	})
}

func readiness(ctx context.Context, db *bun.DB) map[string]string {
	checks := map[string]string{"database": "ok", "migrations": "ok"}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		checks["database"], checks["migrations"] = "unreachable", "unknown"
		return checks
	}
	m, err := database.NewMigrator(db)
	if err != nil {
		checks["migrations"] = "unknown"
		return checks
	}
	if n, err := m.Pending(ctx); err != nil || n > 0 {
		checks["migrations"] = "pending"
	}
	return checks
}
