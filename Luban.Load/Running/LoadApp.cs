using Luban.Load.Figure15;
using Luban.Load.Status;

namespace Luban.Load.Running;

/// <summary>Where a run writes and what it reads from its surroundings; tests supply their own.</summary>
/// <param name="ErrorIsTerminal">Progress rewrites one line with <c>\r</c> only on a terminal.</param>
public sealed record RunContext(
    TextWriter Out,
    TextWriter Error,
    bool ErrorIsTerminal,
    Func<string, string?> Variables,
    TimeProvider Clock)
{
    public static RunContext FromConsole() =>
        new(Console.Out, Console.Error, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable, TimeProvider.System);
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unreachable = 1;

    /// <summary>The load ran, but the --figure15 files could not be written.</summary>
    public const int Unwritten = 1;
    public const int Usage = 2;
    public const int SomeFailed = 4;
    public const int Interrupted = 130;
}

/// <summary><c>luban load</c>: reads the command line, checks the front door, runs the profile, reports.</summary>
public static class LoadApp
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, RunContext context, CancellationToken stop)
    {
        switch (LoadArguments.Parse(args, context.Variables))
        {
            case LoadCommandLine.Help help:
                await context.Out.WriteLineAsync(help.Text);
                return ExitCodes.Ok;
            case LoadCommandLine.UsageError usage:
                await context.Error.WriteLineAsync($"luban load: {usage.Message} (see luban load --help)");
                return ExitCodes.Usage;
            case LoadCommandLine.Run run:
                return await new LoadRun(run.Options, context).RunAsync(stop);
            default:
                throw new InvalidOperationException("unreachable");
        }
    }
}

/// <summary>One run: a profile of clients over time, a sample every second, the report at the end.</summary>
internal sealed class LoadRun(LoadOptions options, RunContext context)
{
    private static readonly TimeSpan ClientStep = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromMilliseconds(800);
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = context.Clock;
    private readonly Progress _progress = new(context.Error, context.ErrorIsTerminal);
    private long _startedTimestamp;
    private int _clients;

    private TimeSpan Elapsed => _clock.GetElapsedTime(_startedTimestamp);

    // Each journey is a new user: an address unique to this run and this client.
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private int _journeys;

    private Journeys.IClientJourney NewJourney()
    {
        var n = Interlocked.Increment(ref _journeys);
        return options.Mix == LoadMix.People && n % LoadArguments.BuyerEvery != 1
            ? new Journeys.VisitorJourney(n)
            : new Journeys.UserJourney($"load-{_runId}-{n}@load.luban.test", "load journey passphrase", options.SignInEvery);
    }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (await RefusalAsync(stop) is { } refused) return refused;

        var profile = options.Profile;
        await context.Error.WriteLineAsync(
            $"luban load: {profile} ({profile.Duration.TotalSeconds:0} s) on {options.Target}; VMs from {options.AdminUrl}");

        var startedAt = _clock.GetUtcNow();
        _startedTimestamp = _clock.GetTimestamp();
        var recorder = new TimelineRecorder(startedAt);
        using var status = new StatusReader(options.AdminUrl, StatusTimeout);
        await using var load = new ClosedLoopLoad(options.Target, clock: _clock,
            journeys: options.Mix == LoadMix.Path ? null : NewJourney);
        using var endSampling = new CancellationTokenSource();
        var sampling = SampleAsync(load, recorder, status, endSampling.Token);

        var interrupted = await FollowProfileAsync(load, stop);

        Volatile.Write(ref _clients, 0);
        await endSampling.CancelAsync();
        await sampling;
        var result = await load.StopAsync();
        var elapsed = Elapsed.TotalSeconds;
        _progress.Finish();

        // The load generator's first-seen times are on its own clock; put them on the run's.
        var loadOffset = load.StartedAt is { } loadStart ? (loadStart - startedAt).TotalSeconds : 0;
        var firstSeen = result.FirstSeen.ToDictionary(seen => seen.Key, seen => Math.Round(loadOffset + seen.Value.TotalSeconds, 3));
        var report = new RunReport(options.Target.ToString(), profile.ToString(), profile.Duration.TotalSeconds, elapsed,
            interrupted, result, firstSeen,
            new StatusAvailability(status.StatusUrl.ToString(), recorder.SampleCount, recorder.AnsweredCount, status.LastProblem),
            null, []);
        var unwritten = false;
        if (options.Figure15) (report, unwritten) = await WriteFigureAsync(recorder.ToTimeline(profile.ToString(), firstSeen, result.Failed), report);

        if (options.Json)
        {
            await context.Out.WriteLineAsync(report.ToJson());
            await context.Error.WriteLineAsync(report.FailedLine);
        }
        else
        {
            foreach (var line in report.TextLines()) await context.Out.WriteLineAsync(line);
            await context.Out.WriteLineAsync(report.FailedLine);
        }

        return report.Failed > 0 ? ExitCodes.SomeFailed : unwritten ? ExitCodes.Unwritten : ExitCodes.Ok;
    }

    /// <summary>An exit code when the run must not start: --out not writable, the front door not answering.</summary>
    private async Task<int?> RefusalAsync(CancellationToken stop)
    {
        // Better now than after a run of minutes: the figure's directory must be writable.
        if (options.Figure15 && CannotWriteTo(options.OutDirectory) is { } unwritable)
        {
            await context.Error.WriteLineAsync($"luban load: --out {options.OutDirectory}: {unwritable} (see luban load --help)");
            return ExitCodes.Usage;
        }

        try
        {
            if (await CannotReachAsync(options.Target, stop) is not { } why) return null;
            await context.Error.WriteLineAsync(
                $"luban load: the front door at {options.Url} cannot be reached ({why}); no load was started. Is the cluster up (./luban up)?");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("luban load: interrupted before the load started");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>Sets the client count along the profile every <see cref="ClientStep"/>; true when interrupted.</summary>
    private async Task<bool> FollowProfileAsync(ClosedLoopLoad load, CancellationToken stop)
    {
        var profile = options.Profile;
        try
        {
            while (!stop.IsCancellationRequested && Elapsed < profile.Duration)
            {
                var clients = profile.ClientsAt(Elapsed);
                Volatile.Write(ref _clients, clients);
                await load.SetClientsAsync(clients);
                var wait = profile.Duration - Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait < ClientStep ? wait : ClientStep, _clock, stop);
            }

            return stop.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>Adds the reaction times to the report and writes the Figure 15 files; says whether that failed.</summary>
    private async Task<(RunReport Report, bool Unwritten)> WriteFigureAsync(Timeline timeline, RunReport report)
    {
        report = report with
        {
            Reactions = ReactionTimeCalculator.Calculate(timeline),
            Files = Figure15Files.NamesFor(options.Paper).Select(name => Path.Combine(options.OutDirectory, name)).ToList(),
        };
        try
        {
            await Figure15Files.WriteAsync(options.OutDirectory, timeline, options.Profile.Duration.TotalSeconds, report, options.Paper);
            return (report, false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"luban load: could not write the Figure 15 files to {options.OutDirectory}: {error.Message}");
            return (report with { Files = [] }, true);
        }
    }

    private static string? CannotWriteTo(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".luban-load-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return error.Message;
        }
    }

    /// <summary>One request before any load: null when the front door answered at all (any status), else why not.</summary>
    private async Task<string?> CannotReachAsync(Uri target, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false })
        {
            Timeout = ReachTimeout,
        };
        try
        {
            using var response = await client.GetAsync(target, stop);
            if (!response.IsSuccessStatusCode)
                await context.Error.WriteLineAsync(
                    $"luban load: warning: the front door answered HTTP {(int)response.StatusCode} to a first request; starting anyway");
            return null;
        }
        catch (HttpRequestException error)
        {
            return error.HttpRequestError == HttpRequestError.Unknown ? error.Message : $"{error.HttpRequestError}: {error.Message}";
        }
        catch (TaskCanceledException) when (!stop.IsCancellationRequested)
        {
            return $"no answer within {ReachTimeout.TotalSeconds:0} s";
        }
    }

    /// <summary>Once a second until told to end: the load's numbers, the VMs from the admin endpoint, the progress line.</summary>
    private async Task SampleAsync(ClosedLoopLoad load, TimelineRecorder recorder, StatusReader status, CancellationToken end)
    {
        using var timer = new PeriodicTimer(SampleInterval, _clock);
        long lastRequests = 0;
        var lastT = 0.0;
        try
        {
            do
            {
                var t = Elapsed.TotalSeconds;
                var requests = load.Requests;
                var perSecond = t > lastT ? (requests - lastRequests) / (t - lastT) : 0;
                (lastRequests, lastT) = (requests, t);
                var clients = Volatile.Read(ref _clients);
                var failed = load.Failed;
                var sample = recorder.Add(Math.Round(t, 3), clients, perSecond, failed, await status.TryReadAsync(end));
                var phase = options.Profile.PhaseAt(TimeSpan.FromSeconds(t))?.Label ?? "done";
                _progress.Show(Progress.Format(t, options.Profile.Duration.TotalSeconds, phase, clients, requests,
                    perSecond, failed, sample.VmsInService));
            } while (await timer.WaitForNextTickAsync(end));
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            // The run is over; the last sample stands.
        }
    }
}
