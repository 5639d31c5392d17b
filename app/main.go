// Command curatorops runs the curator-service back office: the HTTP API, its
// migrations, the OpenAPI spec and the demo school.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // schools' time zones must resolve on hosts without zoneinfo

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/background"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

const usage = `curatorops — back office of an online school's curator service

Usage:
  curatorops serve [--demo] [flags]      apply migrations, then serve the API
  curatorops migrate up|down|status      manage the database schema
  curatorops openapi                     print the OpenAPI spec (YAML)
  curatorops permissions                 print the role × permission matrix (Markdown)
  curatorops user create --email E --name N [--platform-admin] [--org SLUG --role ROLE]
                                         create a user; the password is read from
                                         CURATOROPS_PASSWORD or standard input
  curatorops user disable|enable --email E
                                         stop (or restore) an account's access to
                                         every school; its sessions are refused at once
  curatorops seed demo                   create the demo school (idempotent)

Every command takes the flags below; each also reads a CURATOROPS_* variable.
`

// exitError carries a process exit code: 2 for bad usage or settings.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "curatorops:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "openapi" || cmd == "permissions") && len(rest) > 0 {
		return usageErr("%s takes no arguments", cmd)
	}
	switch cmd {
	case "openapi":
		spec, err := server.Spec()
		if err != nil {
			return err
		}
		_, err = stdout.Write(spec)
		return err
	case "permissions":
		doc, err := permissionsMarkdown()
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, doc)
		return err
	case "serve", "migrate", "user", "seed":
	default:
		return usageErr("unknown command %q (see curatorops help)", cmd)
	}

	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := bindConfig(fs)
	demoFlag := fs.Bool("demo", false, "serve: seed the demo school first")
	email := fs.String("email", "", "user create: email")
	name := fs.String("name", "", "user create: full name")
	platformAdmin := fs.Bool("platform-admin", false, "user create: may create schools")
	org := fs.String("org", "", "user create: school slug to add the user to")
	role := fs.String("role", "", "user create: comma-separated roles in --org")
	positional, err := parseInterspersed(fs, rest)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg, err := parseConfig(values)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg.Demo = *demoFlag
	logger := newLogger(cfg, stderr)

	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger)
	case "migrate":
		return migrateCmd(ctx, cfg, positional, stdout)
	case "seed":
		if len(positional) != 1 || positional[0] != "demo" {
			return usageErr("usage: curatorops seed demo")
		}
		return withApp(ctx, cfg, logger, func(db *bun.DB, svc *server.Services) error {
			return demo.Seed(reqctx.System(ctx, "seed-demo"), svc, logger)
		})
	default: // user
		if len(positional) == 1 && (positional[0] == "disable" || positional[0] == "enable") {
			verb := positional[0]
			return withApp(ctx, cfg, logger, func(db *bun.DB, svc *server.Services) error {
				return setUserStatus(reqctx.System(ctx, "cli-user-"+verb), svc.Identity, *email, verb, stdout)
			})
		}
		if len(positional) != 1 || positional[0] != "create" {
			return usageErr("usage: curatorops user create --email E --name N [--platform-admin] [--org SLUG --role ROLE], or user disable|enable --email E")
		}
		return withApp(ctx, cfg, logger, func(db *bun.DB, svc *server.Services) error {
			return createUser(reqctx.System(ctx, "cli-user-create"), svc.Identity, userArgs{
				email: *email, name: *name, platformAdmin: *platformAdmin, org: *org, roles: *role}, stdin, stdout)
		})
	}
}

// parseInterspersed lets flags come before or after positional words
// ("migrate up --database-url …" and "migrate --database-url … up").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// openDB opens the configured database with its migrator; the caller closes
// the database.
func openDB(ctx context.Context, cfg *config) (*bun.DB, *database.Migrator, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	m, err := database.NewMigrator(db)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, m, nil
}

// withApp opens and migrates the database, builds the services and runs fn.
func withApp(ctx context.Context, cfg *config, logger *slog.Logger, fn func(*bun.DB, *server.Services) error) error {
	db, m, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := m.Up(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		logger.Info("migrations applied", "migrations", applied)
	}
	idCfg := identity.DefaultConfig()
	idCfg.TokenTTL = cfg.TokenTTL
	return fn(db, server.NewServices(db, clock.System{}, idCfg))
}

func serve(ctx context.Context, cfg *config, logger *slog.Logger) error {
	return withApp(ctx, cfg, logger, func(db *bun.DB, svc *server.Services) error {
		if cfg.Demo {
			if err := demo.Seed(reqctx.System(ctx, "seed-demo"), svc, logger); err != nil {
				return fmt.Errorf("seed demo: %w", err)
			}
		}
		srv, err := server.New(server.Config{
			BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.corsOrigins(), MetricsToken: cfg.MetricsToken, BehindProxy: cfg.BehindProxy,
		}, db, svc, logger)
		if err != nil {
			return err
		}
		// Webhook deliveries leave from every replica; the worker stops with
		// the server and is waited for before the database closes.
		svc.Integration.SetLogger(logger)
		svc.Integration.AllowWebhookRanges(cfg.WebhookAllow)
		defer svc.Integration.StartDeliveries(ctx)()
		// SLA warnings and breach notices: every replica runs the loop; each
		// notice is claimed once (see sla.Service.RunOnce).
		svc.SLA.SetLogger(logger)
		defer svc.SLA.Start(ctx)()
		// homework.overdue notices: every replica runs the pass; rows are
		// claimed with SKIP LOCKED (see homework.Service.RunOnce).
		svc.Homework.SetLogger(logger)
		defer svc.Homework.Start(ctx)()
		// Refund requests not decided in time are escalated once;
		// onboarding items that complete themselves are recorded and
		// overdue ones reminded; candidates whose consent expired are
		// erased.
		defer svc.Refunds.Start(ctx)()
		defer svc.Onboarding.Start(ctx, logger)()
		defer svc.Hiring.Start(ctx, logger)()
		// Each school's finished day is sampled for conversation review
		// once; a day drawn already (by hand or another replica) is left.
		defer svc.Quality.Start(ctx, logger)()
		// Case requests whose link expired are marked expired even when
		// nobody opens the link again; a row is claimed by one replica.
		defer svc.Cases.Start(ctx, logger)()
		// kb.reading_overdue reminders: each person is reminded of a
		// revision once, whichever replica gets there first.
		defer background.Every(ctx, 15*time.Minute, logger, "kb-reminders", func(ctx context.Context) error {
			_, err := svc.KB.EmitOverdueReminders(ctx, clock.System{}.Now())
			return err
		})()
		// Sessions, keys and roles are served from memory; on PostgreSQL this
		// replica hears what the others revoke (see identity's cache.go).
		stopFollowing, err := svc.Identity.FollowCredentialChanges(ctx, logger)
		if err != nil {
			return fmt.Errorf("listen for credential changes: %w", err)
		}
		defer stopFollowing()
		logger.Info("serving", "addr", cfg.Addr, "database", database.Redact(cfg.DatabaseURL))
		return srv.ListenAndServe(ctx, cfg.Addr, cfg.ShutdownGrace)
	})
}

func migrateCmd(ctx context.Context, cfg *config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageErr("usage: curatorops migrate up|down|status")
	}
	db, m, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		names, err := m.Up(ctx)
		return printNames(stdout, "applied", names, err)
	case "down":
		names, err := m.Down(ctx)
		return printNames(stdout, "rolled back", names, err)
	case "status":
		ms, err := m.Status(ctx)
		if err != nil {
			return err
		}
		for _, mig := range ms {
			state := "pending"
			if mig.IsApplied() {
				state = "applied"
			}
			fmt.Fprintf(stdout, "%-8s %s\n", state, mig.String())
		}
		return nil
	}
	return usageErr("usage: curatorops migrate up|down|status")
}

func printNames(w io.Writer, verb string, names []string, err error) error {
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintf(w, "nothing %s\n", verb)
	}
	for _, n := range names {
		fmt.Fprintf(w, "%s %s\n", verb, n)
	}
	return nil
}

// setUserStatus disables or enables an account; on PostgreSQL every
// running replica refuses a disabled account's sessions at once.
func setUserStatus(ctx context.Context, svc *identity.Service, email, verb string, stdout io.Writer) error {
	if email == "" {
		return usageErr("user %s needs --email", verb)
	}
	status := identity.StatusActive
	if verb == "disable" {
		status = identity.StatusDisabled
	}
	u, err := svc.SetUserStatus(ctx, email, status)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) is %s\n", u.Email, u.ID, u.Status)
	return nil
}

type userArgs struct {
	email, name, org, roles string
	platformAdmin           bool
}

func createUser(ctx context.Context, svc *identity.Service, a userArgs, stdin io.Reader, stdout io.Writer) error {
	if a.email == "" || a.name == "" {
		return usageErr("user create needs --email and --name")
	}
	if (a.org == "") != (a.roles == "") {
		return usageErr("--org and --role go together")
	}
	password := os.Getenv("CURATOROPS_PASSWORD")
	if password == "" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1024))
		if err != nil {
			return err
		}
		password = strings.TrimSpace(string(b))
	}
	if len(password) < 10 {
		return usageErr("the password (CURATOROPS_PASSWORD or standard input) needs at least 10 characters")
	}
	spec := identity.UserSpec{Email: a.email, Name: a.name, Password: password, PlatformAdmin: a.platformAdmin, Org: a.org}
	if a.org != "" {
		for _, r := range strings.Split(a.roles, ",") {
			spec.Roles = append(spec.Roles, strings.TrimSpace(r))
		}
	}
	// One transaction: nothing is printed, and no account is kept, unless the
	// school and roles are right too.
	u, created, err := svc.EnsureUser(ctx, spec)
	var invalid *errs.ValidationError
	if errors.As(err, &invalid) {
		return &exitError{code: 2, err: err}
	}
	if err != nil {
		return err
	}
	if !created {
		fmt.Fprintf(stdout, "user %s already exists (%s); password unchanged\n", u.Email, u.ID)
	} else {
		fmt.Fprintf(stdout, "created user %s (%s)\n", u.Email, u.ID)
	}
	if a.org != "" {
		fmt.Fprintf(stdout, "%s is a member of %s with roles %s\n", u.Email, a.org, strings.Join(spec.Roles, ","))
	}
	return nil
}
