package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func runRequest(t *testing.T, dir string, options map[string]any) *pulumirpc.RunRequest {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.RunRequest{
		MonitorAddress:   "127.0.0.1:1111",
		Project:          "proj",
		Stack:            "dev",
		Organization:     "organization",
		DryRun:           true,
		Parallel:         16,
		Config:           map[string]string{"proj:greeting": "hi", "proj:token": "s3cret"},
		ConfigSecretKeys: []string{"proj:token"},
		Args:             []string{"extra"},
		Info: &pulumirpc.ProgramInfo{
			RootDirectory:    dir,
			ProgramDirectory: dir,
			EntryPoint:       ".",
			Options:          opts,
		},
	}
}

func TestNodeArguments(t *testing.T) {
	req := runRequest(t, "/prog", map[string]any{"nodeargs": "--max-old-space-size=4096 --trace-warnings"})
	opts, err := parseOptions(req.Info.Options.AsMap())
	if err != nil {
		t.Fatal(err)
	}
	got, err := nodeArguments(req, opts, "/tmp/run/inspect-guard.cjs", "/sdk/cmd/run/index.js", "127.0.0.1:2222", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--require=/tmp/run/inspect-guard.cjs", "--max-old-space-size=4096", "--trace-warnings", "/sdk/cmd/run/index.js",
		"--monitor", "127.0.0.1:1111", "--engine", "127.0.0.1:2222", "--organization", "organization",
		"--project", "proj", "--root-directory", "/prog", "--stack", "dev", "--pwd", "/prog", "--dry-run",
		"--parallel", "16", ".", "extra",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("arguments\n got %q\nwant %q", got, want)
	}
}

func TestProgramEnv(t *testing.T) {
	req := runRequest(t, "/prog", map[string]any{"tsconfig": "tsconfig.pulumi.json"})
	opts, err := parseOptions(req.Info.Options.AsMap())
	if err != nil {
		t.Fatal(err)
	}
	env, err := programEnv([]string{"KEEP=1"}, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"KEEP=1",
		`PULUMI_CONFIG={"proj:config:greeting":"hi","proj:config:token":"s3cret"}`,
		`PULUMI_CONFIG_SECRET_KEYS=["proj:token"]`,
		"PULUMI_NODEJS_TYPESCRIPT=true",
		"PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.pulumi.json",
	}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("env\n got %q\nwant %q", env, want)
	}

	opts.typescript = false
	req.ConfigSecretKeys = nil
	env, err = programEnv(nil, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(env, "\n"), "PULUMI_NODEJS_TYPESCRIPT") {
		t.Fatalf("typescript: false must not set PULUMI_NODEJS_TYPESCRIPT: %q", env)
	}
	if env[1] != "PULUMI_CONFIG_SECRET_KEYS=[]" {
		t.Fatalf("no secret keys must serialize as [], got %q", env[1])
	}
}

func TestParseOptionsRejectsWrongTypes(t *testing.T) {
	for _, raw := range []map[string]any{
		{"typescript": "yes"}, {"nodeargs": true}, {"tsconfig": 1.0}, {"packagemanager": "cargo"},
	} {
		if _, err := parseOptions(raw); err == nil {
			t.Errorf("parseOptions(%v) accepted an invalid option", raw)
		}
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackages(t *testing.T) {
	dir := t.TempDir()
	if got := requiredPackages(filepath.Join(dir, "missing")); len(got) != 0 {
		t.Fatalf("a missing directory must need no plugins, got %v", got)
	}
	if got := requiredPackages(dir); len(got) != 0 {
		t.Fatalf("a program without node_modules must need no plugins, got %v", got)
	}

	nm := filepath.Join(dir, "node_modules")
	writeJSON(t, filepath.Join(nm, "@pulumi/pulumi/package.json"),
		map[string]any{"name": "@pulumi/pulumi", "version": "3.276.0", "pulumi": map[string]any{"name": "pulumi"}})
	writeJSON(t, filepath.Join(nm, "@pulumi/random/package.json"),
		map[string]any{"name": "@pulumi/random", "version": "4.18.0", "pulumi": map[string]any{"resource": true}})
	writeJSON(t, filepath.Join(nm, "third/package.json"), map[string]any{
		"name": "third", "version": "1.0.0",
		"pulumi": map[string]any{"resource": true, "name": "thirdparty", "server": "https://example.invalid"},
	})
	writeJSON(t, filepath.Join(nm, "nameless/package.json"),
		map[string]any{"name": "nameless", "version": "1.0.0", "pulumi": map[string]any{"resource": true}})
	// A package.json outside node_modules is the program's own and declares nothing.
	writeJSON(t, filepath.Join(dir, "package.json"),
		map[string]any{"name": "@pulumi/self", "version": "1.0.0", "pulumi": map[string]any{"resource": true}})
	// A symlink loop must not hang the walk.
	if err := os.Symlink(nm, filepath.Join(nm, "loop")); err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, p := range requiredPackages(dir) {
		got[p.Name] = p.Version + " " + p.Kind + " " + p.Server
	}
	want := map[string]string{
		"random":     "v4.18.0 resource ",
		"thirdparty": "v1.0.0 resource https://example.invalid",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("packages\n got %v\nwant %v", got, want)
	}
}

func TestProgramDependencies(t *testing.T) {
	dir := t.TempDir()
	if _, err := programDependencies(dir); err == nil {
		t.Fatal("expected an error without package.json")
	}
	writeJSON(t, filepath.Join(dir, "package.json"), map[string]any{
		"dependencies":    map[string]string{"@pulumi/pulumi": "^3.0.0"},
		"devDependencies": map[string]string{"typescript": "~5.9.0"},
	})
	writeJSON(t, filepath.Join(dir, "node_modules/@pulumi/pulumi/package.json"),
		map[string]any{"name": "@pulumi/pulumi", "version": "3.276.0"})
	deps, err := programDependencies(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range deps {
		got = append(got, d.Name+"@"+d.Version)
	}
	want := []string{"@pulumi/pulumi@3.276.0", "typescript@~5.9.0"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dependencies\n got %v\nwant %v", got, want)
	}
}

// TestRunExitCodes runs a stand-in for @pulumi/pulumi/cmd/run under the real node and checks what it
// receives and how its exit code becomes a RunResponse.
func TestRunExitCodes(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node must be on PATH for this test")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "fake-run.js")
	record := filepath.Join(dir, "record.json")
	err := os.WriteFile(script, []byte(`const guard = (process.execArgv.find((a) => a.startsWith("--require=")) || "").slice(10);
require("fs").writeFileSync(process.env.RECORD, JSON.stringify({
	argv: process.argv.slice(2), config: process.env.PULUMI_CONFIG, ts: process.env.PULUMI_NODEJS_TYPESCRIPT,
	guard, guardLoaded: require("util").inspect.toString().includes("hitsBug") }));
if (process.env.HANG) { setInterval(() => {}, 1000); } else { process.exit(Number(process.env.EXIT_CODE)); }
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", script)
	t.Setenv("RECORD", record)

	h := newLanguageHost(context.Background(), func() {}, "127.0.0.1:2222", "")
	for code, want := range map[string]*pulumirpc.RunResponse{
		"0":  {},
		"32": {Bail: true},
		"3":  {Error: "Program exited with non-zero exit code: 3"},
	} {
		t.Setenv("EXIT_CODE", code)
		got := h.run(context.Background(), runRequest(t, dir, map[string]any{}))
		if got.Error != want.Error || got.Bail != want.Bail {
			t.Errorf("exit %s: got {Error:%q Bail:%v}, want {Error:%q Bail:%v}", code, got.Error, got.Bail,
				want.Error, want.Bail)
		}
	}

	var seen struct {
		Argv        []string `json:"argv"`
		Config      string   `json:"config"`
		TS          string   `json:"ts"`
		Guard       string   `json:"guard"`
		GuardLoaded bool     `json:"guardLoaded"`
	}
	b, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &seen); err != nil {
		t.Fatal(err)
	}
	if seen.Argv[0] != "--monitor" || seen.Argv[len(seen.Argv)-2] != "." || seen.TS != "true" ||
		!strings.Contains(seen.Config, `"proj:config:greeting":"hi"`) {
		t.Fatalf("node did not get the expected arguments and environment: %+v", seen)
	}
	if !seen.GuardLoaded || seen.Guard == "" {
		t.Fatalf("the inspect guard was not preloaded: %+v", seen)
	}
	if _, err := os.Stat(seen.Guard); !os.IsNotExist(err) {
		t.Fatalf("the run's temporary preload %s must be removed after the run (stat: %v)", seen.Guard, err)
	}

	// Cancel interrupts the program running now, and only that one.
	// Cancel only reaches a program already started, so wait until it has written its record.
	t.Setenv("HANG", "1")
	if err := os.Remove(record); err != nil {
		t.Fatal(err)
	}
	done := make(chan *pulumirpc.RunResponse)
	go func() { done <- h.run(context.Background(), runRequest(t, dir, map[string]any{})) }()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(record); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program did not start within a minute")
		}
	}
	if _, err := h.Cancel(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		if !strings.HasPrefix(got.Error, "Program exited unexpectedly") {
			t.Fatalf("a cancelled program must report its interruption, got %+v", got)
		}
	case <-time.After(interruptGrace + 5*time.Second):
		t.Fatal("Cancel did not stop the program")
	}
	t.Setenv("HANG", "")
	t.Setenv("EXIT_CODE", "0")
	if got := h.run(context.Background(), runRequest(t, dir, map[string]any{})); got.Error != "" || got.Bail {
		t.Fatalf("a run after Cancel must work, got %+v", got)
	}

	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", filepath.Join(dir, "does-not-exist.js"))
	got := h.run(context.Background(), runRequest(t, dir, map[string]any{}))
	if !strings.Contains(got.Error, "has not been installed") {
		t.Fatalf("an unresolvable runner must be reported clearly, got %q", got.Error)
	}
}

// TestInspectGuard runs the preload under the real node against the stack lines that make Node's colored
// util.inspect loop (nodejs/node#64011), and checks that ordinary values are inspected as before.
func TestInspectGuard(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node must be on PATH for this test")
	}
	dir := t.TempDir()
	guard := filepath.Join(dir, "inspect-guard.cjs")
	if err := os.WriteFile(guard, inspectGuard, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `const util = require("node:util");
const assert = require("node:assert");
const stalling = (line) => { const e = new Error("m"); e.stack = "Error: m\n    at f (" + line + ")"; return e; };
for (const e of [
	stalling("/p/node_modules/@pulumi/config.ts:301:19"), // where @pulumi/pulumi's source maps point
	stalling("/p/node_modules/foo.js:1:1"),
	new Error("outer", { cause: stalling("/p/node_modules/@scope/x.ts:1:1") }),
]) {
	assert.ok(!util.inspect(e, { colors: true }).includes("\x1b[4m"), "no colors for a stalling stack");
}
assert.match(util.inspect(stalling("/p/node_modules/@pulumi/config.ts:3:1"), false, 2, true), /config\.ts:3:1/);
const fine = new Error("fine");
fine.stack = "Error: fine\n    at f (/p/node_modules/@pulumi/pulumi/config.js:1:1)";
assert.ok(util.inspect(fine, { colors: true }).includes("\x1b[4m@pulumi/pulumi\x1b[24m"), "colors kept otherwise");
assert.strictEqual(util.inspect({ a: [1] }), "{ a: [ 1 ] }");
assert.strictEqual(typeof util.inspect.custom, "symbol");
util.inspect.defaultOptions.depth = 1;
assert.strictEqual(util.inspect.defaultOptions.depth, 1);
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", "--require="+guard, "-e", script).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("inspecting the errors did not finish within 30 s: the guard does not catch the loop\n%s", out)
	}
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
}
