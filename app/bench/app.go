package main

import (
	"context"
	"log/slog"

	"github.com/curatorops/curatorops/app/server"
)

// startServices starts what serve starts besides the HTTP server and that
// a request depends on: on PostgreSQL, following credential changes, which
// lets the credential cache serve.
func startServices(ctx context.Context, svc *server.Services, logger *slog.Logger) (func(), error) {
	return svc.Identity.FollowCredentialChanges(ctx, logger)
}
