namespace Luban.Cli.Arguments;

/// <summary>The help texts: one for <c>luban --help</c>, one per verb.</summary>
public static class Usage
{
    private const string CommonOptions = """
        options (every verb):
          --seed ADDRESS   the seed to ask, repeatable or comma-separated; env LUBAN_SEEDS;
                           default akka.ssl.tcp://luban@127.0.0.1:4053
          --cert FILE      the certificate to show the seed (operator: act; viewer: read), FILE.key beside it;
                           env LUBAN_CERT (./luban up sets it: .luban/run/certs/operator-admin.crt)
          --ca FILE        the cluster's CA; env LUBAN_CA; default ca.crt in the certificate's folder
          --timeout T      how long to wait for the seed: seconds (5) or 500ms, 5s, 1m; default 5s
          --json           output for scripts instead of tables
          -h, --help       this text

        exit status: 0 done; 1 the seed could not be reached or did not answer; 2 usage error; 3 refused by the seed
        """;

    public static string Top { get; } = $"""
        usage: luban <verb> [options]

        Operates a Luban cluster through its seed (a ClusterClient to the seed's receptionist).

        verbs:
          status                    members, hosts and VMs, the policy, the last decision, the bond, problems
          events [--follow]         the scaling event log; --follow prints new events as they happen
          vm start [--host H]       start one VM now, on host H or where the policy would place it
          vm stop <vm>              drain and stop a VM now (refused below its host's minimum)
          policy show               the scaling policy in force
          policy set <key> <value>  change one policy value
          autoscale pause|resume    pause or resume automatic scaling (manual commands still run)
          bond status               the seed's bond watcher: bond health and interfaces
          certs init|issue|show     the cluster's CA and certificates (no seed needed; luban certs --help)

        `luban <verb> --help` describes one verb.

        {CommonOptions}
        """;

    public static IReadOnlyDictionary<string, string> ByGroup { get; } = new Dictionary<string, string>
    {
        ["status"] = Verb("status", """
            Members, hosts and their VMs (state, connections, utilisation, endpoint), the policy in force, the last
            decision, the bond and any problems. With --json: the /api/status document, unchanged.
            """),
        ["events"] = Verb("events [--follow]", """
            The scaling event log, oldest first: what the supervisor decided or saw, by which rule, and why.
            --follow asks again every second and prints each new event until Ctrl-C.
            With --json: the events array (newest first, as in /api/status); with --follow, one JSON object a line.
            """),
        ["vm"] = Verb("vm start [--host H] | vm stop <vm>", """
            vm start [--host H]   start one VM now: on host H (e.g. B), or where the policy would place it;
                                  refused when the host or the cluster is at its maximum
            vm stop <vm>          drain a VM (e.g. luban-b-2) and stop it when its requests finish;
                                  refused when its host would fall below its minimum
            With --json: {"accepted": true|false, "message": "..."}.
            """),
        ["policy"] = Verb("policy show | policy set <key> <value>", $$"""
            policy show               the scaling policy in force, by HOCON key, and whether autoscaling is paused
            policy set <key> <value>  change one value until the seed restarts; the key with or without the
                                      luban.scaling. prefix; refused (naming the key) when the value is invalid
            keys: those `policy show` lists (the seed's luban.scaling table)
            values: numbers 0.7 or 3, durations 500ms, 30s, 5m; preferred-hosts as a comma list: B,C
            With --json: the policy object of /api/status (show) or {"accepted", "message"} (set).
            """),
        ["autoscale"] = Verb("autoscale pause|resume", """
            Pause or resume the supervisor's automatic decisions; vm start/stop still run while paused.
            With --json: {"accepted", "message"}.
            """),
        ["bond"] = Verb("bond status", """
            The seed's bond watcher: each bond's health and reasons, mode and links, and the plain interfaces
            watched. With --json: the bond report as in /api/status.
            """),
    };

    private static string Verb(string synopsis, string description) => $"""
        usage: luban {synopsis} [options]

        {description}

        {CommonOptions}
        """;
}
