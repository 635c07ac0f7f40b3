using Luban.Load.Figure15;
using Luban.Load.Profiles;

namespace Luban.Load.Running;

/// <summary>The help text of <c>luban load</c>.</summary>
public static class LoadUsage
{
    public static string Text { get; } = $"""
        usage: luban load [options]
               luban load --figure15 [--paper] [options]

        Closed-loop HTTP load on the front door: each client keeps one keep-alive connection and sends one request
        after another. A progress line goes to stderr every second; the summary goes to stdout and ends with a line
        failed=<n>.

        target:
          --url URL        the front door; env {LoadArguments.PublicUrlVariable}; default {LoadArguments.DefaultUrl}
          --path PATH      the request path and query; default {LoadArguments.DefaultPath}
          --mix MIX        what each client does: path (default) repeats GET --path; journey is a user of the
                           service: registers an account of its own, then goes round evaluate-and-save (with an
                           Idempotency-Key), list its records, compare its last two, signing in again every
                           --sign-in-every rounds; people is one client in {LoadArguments.BuyerEvery} such a buyer and the others
                           visitors without an account (the page, a ruler length, the examples, and every third
                           round an evaluation that is shown, not saved); the summary counts requests per step,
                           with their medians
          --sign-in-every N  with --mix journey or people: sign in again every N rounds; 0 = only when the session is
                           lost; default {Journeys.UserJourney.DefaultSignInEvery}. Each sign-in costs the service one password hash
          --admin-url URL  the seed's admin endpoint, whose /api/status is read every second for the VMs;
                           env {LoadArguments.AdminUrlVariable}; default {LoadArguments.DefaultAdminUrl}

        load (clients over time):
          --clients N      peak clients; default {LoadArguments.DefaultClients} ({Figure15Defaults.Clients} with --figure15)
          --ramp T         rise linearly from 0 to N clients over T; default {Durations.Format(LoadArguments.DefaultRamp)} ({Durations.Format(Figure15Defaults.Ramp)} with --figure15)
          --hold T         hold N clients for T; default {Durations.Format(LoadArguments.DefaultHold)} ({Durations.Format(Figure15Defaults.Hold)} with --figure15)
          --fall T         fall linearly from N to 0 clients over T; default {Durations.Format(LoadArguments.DefaultFall)} ({Durations.Format(Figure15Defaults.Fall)} with --figure15,
                           which then holds 0 clients for {Durations.Format(Figure15Defaults.IdleTail)} more while the extra VM drains and stops)
          --profile TEXT   phases instead of --clients/--ramp/--hold/--fall, separated by commas:
                             ramp A-B T   rise linearly from A to B clients (A <= B) over T
                             fall A-B T   fall linearly from A to B clients (A >= B) over T
                             hold N T     hold N clients for T
                             hold T       hold where the previous phase ended (0 at the start) for T
                           e.g. "ramp 0-150 20s, hold 60s, fall 150-0 5s, hold 40s"
          T is a duration: {Durations.Examples}; any phase may last 0s. Along ramps and falls the client count
          is updated every 250 ms. At most {ProfileParser.MaxClients} clients.

        Figure 15:
          --figure15       the paper's Figure 15, time-compressed: by default ramp 0-{Figure15Defaults.Clients} {Durations.Format(Figure15Defaults.Ramp)}, hold {Durations.Format(Figure15Defaults.Hold)},
                           fall {Figure15Defaults.Clients}-0 {Durations.Format(Figure15Defaults.Fall)}, hold 0 {Durations.Format(Figure15Defaults.IdleTail)} (overridden by --profile or --clients/--ramp/...).
                           Records the VMs every second and the scaling events, prints the reaction times, and
                           writes figure15.csv, figure15-events.csv, figure15.svg and figure15-summary.txt
          --paper          with --figure15: the paper's own pace, 20 minutes: ramp 0-{PaperFigure15.Clients} {Durations.Format(PaperFigure15.Ramp)}, hold {Durations.Format(PaperFigure15.Hold)},
                           fall {Durations.Format(PaperFigure15.Fall)}, hold 0 {Durations.Format(PaperFigure15.IdleTail)}; --mix people unless --mix is given; writes
                           figure15-paper.csv, figure15-paper-events.csv, figure15-paper.svg, figure15-paper-summary.txt.
                           ./luban load sets the cluster's tick to 5m for the run (decisions at minutes 5, 10, 15,
                           20) and puts it back after; run the cluster with round robin (./luban up's default)
          --out DIR        where --figure15 writes; created if missing; default {LoadArguments.DefaultOut}

        output:
          --json           the summary as one JSON document on stdout (the failed=<n> line then goes to stderr)
          -h, --help       this text

        Ctrl-C stops the load (each client finishes its request) and still prints the summary.

        exit status: 0 no request failed; 4 some requests failed (non-2xx answers or socket errors);
                     1 the front door could not be reached (no load was started), or the --figure15 files
                     could not be written; 2 usage error (also: --out not writable); 130 interrupted before
                     the load started
        """;
}
