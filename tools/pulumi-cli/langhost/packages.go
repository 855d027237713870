package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

var errNoPackageJSON = errors.New("no package.json")

// packageJSON is the part of a package.json we read.
type packageJSON struct {
	Name            string                  `json:"name"`
	Version         string                  `json:"version"`
	Pulumi          plugin.PulumiPluginJSON `json:"pulumi"`
	Dependencies    map[string]string       `json:"dependencies"`
	DevDependencies map[string]string       `json:"devDependencies"`
}

func readPackageJSON(path string) (packageJSON, error) {
	var info packageJSON
	b, err := os.ReadFile(path)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("parsing %s: %w", path, err)
	}
	return info, nil
}

// requiredPackages finds the resource plugins the program's npm packages declare, like the official host:
// every package.json below a node_modules directory under dir whose `pulumi` block says `resource: true`.
// Problems (unreadable files, a missing node_modules) are logged, never fatal: a program with no
// dependencies simply needs no plugins.
func requiredPackages(dir string) []*pulumirpc.PackageDependency {
	s := &packageScan{visited: map[string]bool{}, sdkVersions: map[string]string{}}
	s.walk(dir, false)
	for _, err := range s.errs {
		logging.V(3).Infof("while discovering plugins: %v", err)
	}
	s.warnOnIncompatibleSDKs()
	return s.packages
}

type packageScan struct {
	visited     map[string]bool
	packages    []*pulumirpc.PackageDependency
	sdkVersions map[string]string // path of each @pulumi/pulumi package.json -> version
	errs        []error
}

func (s *packageScan) walk(dir string, inNodeModules bool) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	if s.visited[real] {
		return
	}
	s.visited[real] = true

	entries, err := os.ReadDir(real)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	childrenInNodeModules := inNodeModules || filepath.Base(dir) == "node_modules"
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil {
				s.errs = append(s.errs, err)
				continue
			}
			isDir = fi.IsDir()
		}
		switch {
		case isDir:
			// Version control metadata never holds packages.
			if e.Name() == ".git" {
				continue
			}
			// A nested policy pack's dependencies belong to the policy pack, not to the program.
			if _, err := os.Stat(filepath.Join(path, "PulumiPolicy.yaml")); err == nil {
				continue
			}
			s.walk(path, childrenInNodeModules)
		case inNodeModules && e.Name() == "package.json":
			s.readPackage(path)
		}
	}
}

func (s *packageScan) readPackage(path string) {
	info, err := readPackageJSON(path)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	if info.Name == "@pulumi/pulumi" {
		s.sdkVersions[path] = info.Version
	}
	dep, err := packageDependency(info)
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", path, err))
		return
	}
	if dep != nil {
		s.packages = append(s.packages, dep)
	}
}

// warnOnIncompatibleSDKs prints (to stderr, which the engine shows) when two copies of @pulumi/pulumi with
// different major versions are installed: their runtime state would not be shared.
func (s *packageScan) warnOnIncompatibleSDKs() {
	paths := make([]string, 0, len(s.sdkVersions))
	for p := range s.sdkVersions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths[min(1, len(paths)):] {
		first, v := s.sdkVersions[paths[0]], s.sdkVersions[p]
		if major(first) != major(v) {
			fmt.Fprintf(os.Stderr, "Found incompatible versions of @pulumi/pulumi. Differing major versions are not "+
				"supported.\n  Version %s referenced at %s\n  Version %s referenced at %s\n", first, paths[0], v, p)
			return
		}
	}
}

func major(version string) string {
	m, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	return m
}

// packageDependency returns the plugin a package.json declares, or nil when it declares none.
func packageDependency(info packageJSON) (*pulumirpc.PackageDependency, error) {
	if !info.Pulumi.Resource {
		return nil, nil
	}
	name := info.Pulumi.Name
	if name == "" {
		// Only @pulumi/* packages may leave the plugin name implicit.
		rest, ok := strings.CutPrefix(info.Name, "@pulumi/")
		if !ok || rest == "" {
			return nil, fmt.Errorf("third-party package %q must name its plugin in the \"pulumi\" section "+
				"of package.json", info.Name)
		}
		name = rest
	}
	version := info.Pulumi.Version
	if version == "" {
		version = info.Version
	}
	if version == "" {
		return nil, errors.New("missing expected \"version\" property")
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	return &pulumirpc.PackageDependency{
		Name:             name,
		Kind:             "resource",
		Version:          version,
		Server:           info.Pulumi.Server,
		Parameterization: parameterization(info.Pulumi.Parameterization),
		Extension:        parameterization(info.Pulumi.ExtensionParameterization),
	}, nil
}

func parameterization(p *plugin.PulumiParameterizationJSON) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// programDependencies lists the direct dependencies in the program's package.json, with the installed
// version when node can find the package and the declared range otherwise. Transitive dependencies are not
// listed (the official host asks the package manager; we stay offline and simple).
func programDependencies(dir string) ([]*pulumirpc.DependencyInfo, error) {
	info, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%w in %s", errNoPackageJSON, dir)
		}
		return nil, err
	}
	declared := map[string]string{}
	for name, v := range info.DevDependencies {
		declared[name] = v
	}
	for name, v := range info.Dependencies {
		declared[name] = v
	}
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		version := declared[name]
		if installed := installedVersion(dir, name); installed != "" {
			version = installed
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: version})
	}
	return deps, nil
}

// installedVersion finds name in node_modules from dir upwards, as node's resolution would.
func installedVersion(dir, name string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if info, err := readPackageJSON(filepath.Join(d, "node_modules", name, "package.json")); err == nil {
			return info.Version
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
