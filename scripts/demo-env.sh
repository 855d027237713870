# shellcheck shell=bash
# The demo environment of `npm start`, in one place. Sourced by scripts/start.sh and scripts/run.sh, so that
# `npm start -- <command>`, `npm run recover -- ...` and `bash scripts/run.sh pulumi ...` all find the demo stack:
#
#   PULUMI_BACKEND_URL        file://<repository>/.pulumi-state
#   PULUMI_HOME               <repository>/.pulumi-home
#   PULUMI_CONFIG_PASSPHRASE  local-demo-passphrase (not a secret: it only protects the demo's emulator accounts)
#
# Each is a default: a value you export wins (PULUMI_CONFIG_PASSPHRASE_FILE counts as a passphrase).
# Needs $root (the repository root). Sets demo_defaults to the names it filled in.

demo_default_passphrase=local-demo-passphrase
demo_defaults=""
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
    mkdir -p "$root/.pulumi-state"
    demo_defaults="$demo_defaults PULUMI_BACKEND_URL"
fi
if [ -z "${PULUMI_HOME:-}" ]; then
    export PULUMI_HOME="$root/.pulumi-home"
    mkdir -p "$PULUMI_HOME"
    demo_defaults="$demo_defaults PULUMI_HOME"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE=$demo_default_passphrase
    demo_defaults="$demo_defaults PULUMI_CONFIG_PASSPHRASE"
fi

# One line saying where the demo environment points (stderr: stdout stays the command's).
demo_env_describe() {
    local passphrase="your PULUMI_CONFIG_PASSPHRASE"
    case " $demo_defaults " in *" PULUMI_CONFIG_PASSPHRASE "*) passphrase="the demo default ($demo_default_passphrase)" ;; esac
    [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && passphrase="PULUMI_CONFIG_PASSPHRASE_FILE"
    echo "backend $PULUMI_BACKEND_URL, PULUMI_HOME $PULUMI_HOME, passphrase: $passphrase"
}

# Prints the hint for a stack whose secrets do not decrypt, when the text in file $1 says so. Returns 0 if it did.
demo_passphrase_hint() {
    grep -qiE "incorrect passphrase|passphrase must be set|failed to decrypt|message authentication failed" "$1" 2>/dev/null || return 1
    {
        echo
        echo "hint: the stack's secrets do not decrypt with the passphrase in use ($(demo_env_describe))."
        case " $demo_defaults " in
            *" PULUMI_CONFIG_PASSPHRASE "*)
                echo "      Stacks created by npm start use '$demo_default_passphrase'; this one was created with"
                echo "      another passphrase: export PULUMI_CONFIG_PASSPHRASE=<that passphrase> and try again." ;;
            *)
                echo "      Stacks created by npm start without PULUMI_CONFIG_PASSPHRASE use '$demo_default_passphrase':"
                echo "      unset PULUMI_CONFIG_PASSPHRASE and PULUMI_CONFIG_PASSPHRASE_FILE, or set the former to it." ;;
        esac
    } >&2
    return 0
}

# After a failed command: checks whether stack $2 (empty: the selected one) of the program in directory $1 fails to
# decrypt its secrets, and if so prints the hint. Costs one `pulumi config` call, only on failures.
demo_passphrase_check() {
    local dir=$1 stack=${2:-} out
    out=$(mktemp)
    if ! (cd "$dir" && pulumi config --show-secrets --json --non-interactive ${stack:+--stack "$stack"}) >/dev/null 2>"$out"; then
        demo_passphrase_hint "$out" || true
    fi
    rm -f "$out"
}
