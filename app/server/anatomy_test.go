package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/curatorops/curatorops/modules/"

// The module anatomy (docs/architecture.md) is checked here rather than
// trusted: domain modules never import one another, and the adapters that
// connect them only translate, so none of them may build a query.

func TestNoDomainModuleImportsAnother(t *testing.T) {
	for _, dir := range domainModules(t) {
		for _, imp := range importsOf(t, filepath.Join("..", "..", "modules", dir)) {
			rest, ok := strings.CutPrefix(imp, modulePath)
			if !ok {
				continue
			}
			top, _, _ := strings.Cut(rest, "/")
			if top != "platform" && top != dir {
				t.Errorf("modules/%s imports %s: domain modules talk through ports wired in app/server", dir, imp)
			}
		}
	}
}

func TestAdaptersIssueNoQuery(t *testing.T) {
	builders := map[string]bool{"NewSelect": true, "NewInsert": true, "NewUpdate": true, "NewDelete": true, "NewRaw": true,
		"ExecContext": true, "QueryContext": true, "QueryRowContext": true}
	for _, file := range goFiles(t, ".") {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f := parseFile(t, file, 0)
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && builders[sel.Sel.Name] {
				t.Errorf("app/server/%s calls %s: a lookup belongs to the module that owns the table", file, sel.Sel.Name)
			}
			return true
		})
	}
}

func domainModules(t *testing.T) []string {
	entries, err := os.ReadDir(filepath.Join("..", "..", "modules"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "platform" {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no domain modules found")
	}
	return out
}

// importsOf lists the imports of a module's code. Its tests may wire real
// neighbours as fixtures, as the server does, so they are not counted.
func importsOf(t *testing.T, dir string) []string {
	var out []string
	for _, file := range goFiles(t, dir) {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		for _, imp := range parseFile(t, file, parser.ImportsOnly).Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, path)
		}
	}
	return out
}

func goFiles(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parseFile(t *testing.T, path string, mode parser.Mode) *ast.File {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, mode)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
