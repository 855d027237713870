// Command pulumi-language-nodejs is this repository's own Node.js language host for the Pulumi engine.
//
// The official host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no
// version tags and the Go module proxy does not serve it, so `pulumi up` on a program directory would
// have no language host at all. This one implements the part of the LanguageRuntime gRPC service that
// running Node.js/TypeScript programs needs and starts `@pulumi/pulumi/cmd/run` the way the official
// host does. See ../README.md for what is and is not implemented.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const pluginName = "pulumi-language-nodejs"

// engineHealthInterval is how often we ask the engine whether it is still alive; when it is gone we stop
// serving, so an engine that crashed does not leave us behind (same interval as the official host).
const engineHealthInterval = 5 * time.Minute

func main() {
	// The engine starts language plugins as `<bin> [--logtostderr] [-v=N] [--tracing <url>] <engine address>`
	// (pkg/resource/plugin: buildPluginArguments + buildArgsForNewPlugin). The glog-style flags are
	// registered on flag.CommandLine by the logging package, which InitLogging reads back.
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	// Older engines passed -root; accept and ignore it rather than failing to start.
	flag.String("root", "", "Ignored; accepted for compatibility with older engines")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	logging.InitLogging(false, 0, false)
	if endpoint := os.Getenv("PULUMI_OTEL_EXPORTER_OTLP_ENDPOINT"); endpoint != "" {
		if err := cmdutil.InitOtelTracing(pluginName, endpoint); err != nil {
			logging.V(3).Infof("failed to initialize OTel tracing: %v", err)
		}
		defer cmdutil.CloseOtelTracing()
	} else {
		cmdutil.InitTracing(pluginName, pluginName, *tracing)
	}

	var engineAddress string
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(0)
	}

	// Stop serving on Ctrl-C or when the engine stops answering health checks.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()

	host := newLanguageHost(ctx, stop, engineAddress, *tracing)
	if engineAddress != "" {
		if err := host.watchEngine(engineAddress); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check of the engine: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads exactly one line from stdout: our port. Everything after it is shown as program output.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
