using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Luban.Tests.Support;

namespace Luban.Tests.EndToEnd;

/// <summary>A VM as the status document shows it.</summary>
public sealed record VmSeen(string Id, string Host, string State, int? Connections);

/// <summary>
/// The whole system as an operator starts it: <c>./luban up --detach --netns --ha</c> with two front-end hosts A1 and
/// A2 behind a virtual address (keepalived), agents B and C, each in a network namespace of its own (names and subnet
/// apart from a developer's cluster), real processes, real VMs; and <c>./luban down</c> at the end. Load comes from
/// the root namespace through the virtual address, as a client's would.
/// </summary>
public sealed class NetnsCluster : IAsyncLifetime
{
    public const string Prefix = "lubanx";
    public const string Subnet = "10.78.0";

    private readonly string _runDir;
    private readonly Dictionary<string, string> _env;
    private readonly HttpClient _admin;

    public NetnsCluster()
    {
        _runDir = Directory.CreateTempSubdirectory("luban-e2e-").FullName;
        // The run's own PostgreSQL lives below it and runs as the postgres user.
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(_runDir, (UnixFileMode)0b111_101_101);
        _env = new Dictionary<string, string>
        {
            ["LUBAN_RUN_DIR"] = _runDir,
            ["LUBAN_NETNS_PREFIX"] = Prefix,
            ["LUBAN_NETNS_SUBNET"] = Subnet,
            ["LUBAN_PG_PORT"] = "55436",
            ["LUBAN_PG_DIR"] = Path.Combine(_runDir, "pg"),
            ["LUBAN_UP_TIMEOUT"] = "300",
        };
        _admin = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    }

    /// <summary>The front-end hosts and the address each has on the bridge (netns.sh: a1 is .1, a2 is .10).</summary>
    public static readonly IReadOnlyDictionary<string, string> FrontEnds = new Dictionary<string, string>
    {
        ["A1"] = $"{Subnet}.1",
        ["A2"] = $"{Subnet}.10",
    };

    /// <summary>The virtual address the two front-end hosts share.</summary>
    public const string VirtualAddress = $"{Subnet}.100";

    public Uri AdminUrl { get; } = new($"http://{VirtualAddress}:8090");

    public Uri PublicUrl { get; } = new($"http://{VirtualAddress}:8080");

    /// <summary>One front-end host's own admin endpoint (its seed's status, whichever holds the address).</summary>
    public static Uri AdminUrlOf(string frontEnd) => new($"http://{FrontEnds[frontEnd]}:8090");

    /// <summary>One front-end host's own front door.</summary>
    public static Uri PublicUrlOf(string frontEnd) => new($"http://{FrontEnds[frontEnd]}:8080");

    /// <summary>The other front-end host.</summary>
    public static string OtherThan(string frontEnd) => frontEnd == "A1" ? "A2" : "A1";

    /// <summary>Which front-end host's namespace holds the virtual address now (null when none does).</summary>
    public static string? VirtualAddressHolder()
    {
        foreach (var (host, _) in FrontEnds)
        {
            var addresses = LubanScript.Output("ip", $"-n {Prefix}-{host.ToLowerInvariant()} -4 -o addr show dev eth0");
            if (addresses.Contains($" {VirtualAddress}/", StringComparison.Ordinal)) return host;
        }

        return null;
    }

    /// <summary>Cuts a front-end host off the bridge (its veth's root end down) or joins it again.</summary>
    public static void SetLink(string frontEnd, bool up) =>
        LubanScript.Output("ip", $"link set v{Prefix}-{frontEnd.ToLowerInvariant()} {(up ? "up" : "down")}");

    public string RunDir => _runDir;

    private string PostgresDirectory => Path.Combine(_runDir, "pg");

    /// <summary>The records database as the test reaches it: the luban role with the password the run made.</summary>
    public string DatabaseConnectionString =>
        $"Host=127.0.0.1;Port={_env["LUBAN_PG_PORT"]};Username=luban;Database=luban;Pooling=false;" +
        $"Password={File.ReadAllText(Path.Combine(PostgresDirectory, "luban.password")).Trim()}";

    /// <summary>Stops the run's PostgreSQL at once (fast shutdown: open connections are cut).</summary>
    public async Task StopDatabaseAsync() =>
        await RunAsync("runuser", "-u", "postgres", "--", PostgresBin("pg_ctl"), "-D", Path.Combine(PostgresDirectory, "data"), "-m", "fast", "-w", "stop");

    /// <summary>Starts it again with the options it last ran with (pg_ctl restart reads them back).</summary>
    public async Task StartDatabaseAsync() =>
        await RunAsync("runuser", "-u", "postgres", "--", PostgresBin("pg_ctl"), "-D", Path.Combine(PostgresDirectory, "data"),
            "-l", Path.Combine(PostgresDirectory, "postgres.log"), "-w", "restart");

    private static string PostgresBin(string tool) =>
        Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin", tool)).Last(File.Exists);

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {output}");
    }

    /// <summary>What <c>./luban up</c> printed, for the test's output.</summary>
    public string UpOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!EndToEndFactAttribute.Enabled) return;
        // Least requests: the in-flight requests a VM holds (what its connection count shows behind a pooling proxy)
        // stay equal across VMs of unequal momentary speed, so the figure-15 thresholds are crossed when the load
        // says so rather than when one emulated guest happens to lag. Round robin is the default and tested apart.
        var (code, output) = await LubanAsync("up", "--detach", "--netns", "--ha", "--no-build", "--balance=least-requests");
        UpOutput = output;
        if (code != 0) throw new InvalidOperationException($"./luban up --netns --ha failed ({code}):\n{output}");
    }

    public async Task DisposeAsync()
    {
        if (!EndToEndFactAttribute.Enabled)
        {
            _admin.Dispose();
            Directory.Delete(_runDir, recursive: true);
            return;
        }

        var (code, output) = await LubanAsync("down");
        _admin.Dispose();
        if (code != 0) throw new InvalidOperationException($"./luban down failed ({code}):\n{output}");
        // The processes' logs outlive the run, for whoever reads a failure.
        var logs = Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts", "e2e")).FullName;
        foreach (var log in Directory.GetFiles(_runDir, "*.log"))
            File.Copy(log, Path.Combine(logs, Path.GetFileName(log)), overwrite: true);
        if (Directory.Exists(_runDir)) Directory.Delete(_runDir, recursive: true);
    }

    public Task<(int ExitCode, string Output)> LubanAsync(params string[] args) => LubanScript.RunAsync(_env, args);

    /// <summary>The status document through the virtual address, or null while no seed answers there.</summary>
    public Task<JsonElement?> StatusAsync() => StatusAsync(AdminUrl);

    /// <summary>The members as one seed sees them (<c>/api/members</c>, which does not wait for the supervisor), or null
    /// while it does not answer.</summary>
    public async Task<JsonElement?> MembersAsync(Uri admin)
    {
        try
        {
            return await _admin.GetFromJsonAsync<JsonElement>(new Uri(admin, "/api/members"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The status document one admin endpoint answers, or null while it does not.</summary>
    public async Task<JsonElement?> StatusAsync(Uri admin)
    {
        try
        {
            return await _admin.GetFromJsonAsync<JsonElement>(new Uri(admin, "/api/status"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public static IReadOnlyList<VmSeen> VmsOf(JsonElement status) =>
        status.GetProperty("hosts").EnumerateArray()
            .SelectMany(h => h.GetProperty("vms").EnumerateArray().Select(v => new VmSeen(
                v.GetProperty("id").GetString()!,
                h.GetProperty("id").GetString()!,
                v.GetProperty("state").GetString()!,
                v.GetProperty("connections").ValueKind == JsonValueKind.Number ? v.GetProperty("connections").GetInt32() : null)))
            .ToList();

    public static IReadOnlyList<string> InService(JsonElement status) =>
        VmsOf(status).Where(v => v.State == "InService").Select(v => v.Id).Order(StringComparer.Ordinal).ToList();

    /// <summary>Polls the status until <paramref name="done"/> holds; the last status read is returned either way.
    /// <paramref name="progress"/> sees a status every 5 s, for the test's output.</summary>
    public async Task<(bool Met, JsonElement? Last, TimeSpan Elapsed)> UntilAsync(Func<JsonElement, bool> done, TimeSpan within,
        Action<TimeSpan, JsonElement>? progress = null, Uri? admin = null)
    {
        var clock = Stopwatch.StartNew();
        var nextProgress = TimeSpan.Zero;
        JsonElement? last = null;
        while (clock.Elapsed < within)
        {
            if (await StatusAsync(admin ?? AdminUrl) is { } status)
            {
                last = status;
                if (done(status)) return (true, status, clock.Elapsed);
                if (progress is not null && clock.Elapsed >= nextProgress)
                {
                    progress(clock.Elapsed, status);
                    nextProgress = clock.Elapsed + TimeSpan.FromSeconds(5);
                }
            }

            await Task.Delay(250);
        }

        return (false, last, clock.Elapsed);
    }

    public int PidOf(string name) => int.Parse(File.ReadAllText(Path.Combine(_runDir, $"{name}.pid")).Trim());

    /// <summary>Kills a process of the run with SIGKILL (a crash), waiting until it is gone.</summary>
    public async Task KillAsync(string name)
    {
        var pid = PidOf(name);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>
    /// Starts a process of the run again exactly as <c>./luban up</c> started it: the same command line, in the same
    /// network namespace, logging to the same file; its new PID goes where <c>./luban down</c> looks for it.
    /// Call before <see cref="KillAsync"/> to capture what to restart.
    /// </summary>
    public Restart Capture(string name)
    {
        var pid = PidOf(name);
        var argv = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');
        var ns = LubanScript.Output("ip", $"netns identify {pid}").Trim();
        return new Restart(name, argv, ns);
    }

    public int Start(Restart restart)
    {
        var log = Path.Combine(_runDir, $"{restart.Name}.log");
        var command = string.Join(' ', restart.Argv.Select(Quote));
        var inNamespace = restart.Namespace.Length > 0 ? $"ip netns exec {restart.Namespace} " : "";
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec setsid {inNamespace}{command} >>{Quote(log)} 2>&1 </dev/null"])
        {
            WorkingDirectory = Repo.Root,
        };
        foreach (var (key, value) in _env) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        File.WriteAllText(Path.Combine(_runDir, $"{restart.Name}.pid"), process.Id.ToString());
        return process.Id;
    }

    public string Log(string name) =>
        File.Exists(Path.Combine(_runDir, $"{name}.log")) ? File.ReadAllText(Path.Combine(_runDir, $"{name}.log")) : "";

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    public sealed record Restart(string Name, string[] Argv, string Namespace);
}
