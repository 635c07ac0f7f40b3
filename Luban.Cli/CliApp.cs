using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using Luban.Cli.Arguments;
using Luban.Cli.Connection;
using Luban.Cli.Output;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using Luban.Protocol.Security;
using Luban.Protocol.Status;
using static Luban.Protocol.Operator.OperatorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Cli;

/// <summary>
/// The <c>luban</c> operator CLI: reads the command line, asks the seed's operator endpoint, prints a table or JSON.
/// Exit codes: 0 done, 1 the seed could not be reached or did not answer, 2 usage error, 3 refused by the seed.
/// </summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int SeedFailed = 1;
    public const int UsageError = 2;
    public const int Refused = 3;

    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancel = default) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, cancel);

    /// <param name="environment">reads an environment variable (LUBAN_SEEDS); tests pass their own.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, CancellationToken cancel = default)
    {
        // The CA and certificates are kept on the CA's host: no seed is asked.
        if (args.Count > 0 && args[0] == "certs") return Certificates.CertsCommand.Run(args.Skip(1).ToList(), stdout, stderr);

        switch (CliArguments.Parse(args, environment))
        {
            case ParsedCommandLine.Help help:
                stdout.Write(help.Text.TrimEnd() + Environment.NewLine);
                return Ok;
            case ParsedCommandLine.UsageError error:
                stderr.WriteLine($"luban: {error.Message}");
                return UsageError;
            case ParsedCommandLine.Run run:
                var hocon = Path.Combine(AppContext.BaseDirectory, "hocon", "common.hocon");
                if (!File.Exists(hocon))
                {
                    stderr.WriteLine($"luban: {hocon} is missing; build the project again");
                    return SeedFailed;
                }

                if (run.Options.Certificate is not { } certificate)
                {
                    stderr.WriteLine($"luban: no certificate: give --cert FILE (its key FILE.key beside it) or set {CliArguments.CertificateVariable}; " +
                                     "an operator's certificate acts, a viewer's reads (luban certs issue --role operator|viewer)");
                    return SeedFailed;
                }

                NodeCredentials credentials;
                try
                {
                    credentials = NodeCredentials.Load(certificate, NodeCredentials.KeyFile(certificate),
                        run.Options.Authority ?? NodeCredentials.AuthorityFile(Path.GetDirectoryName(Path.GetFullPath(certificate))!),
                        DateTimeOffset.UtcNow);
                }
                catch (CertificateProblem problem)
                {
                    stderr.WriteLine($"luban: certificate: {problem.Message}");
                    return SeedFailed;
                }

                await using (var connection = OperatorConnection.Open(run.Options.Seeds,
                                 ConfigurationFactory.ParseString(await File.ReadAllTextAsync(hocon, cancel)), credentials))
                {
                    return await new Session(connection, run, stdout, stderr).RunAsync(cancel);
                }
            default:
                throw new InvalidOperationException("unreachable: every parse outcome is handled");
        }
    }

    /// <summary>One verb against one connection.</summary>
    private sealed class Session(OperatorConnection connection, ParsedCommandLine.Run run, TextWriter stdout, TextWriter stderr)
    {
        private CliOptions Options => run.Options;

        public Task<int> RunAsync(CancellationToken cancel) => run.Verb switch
        {
            Verb.Status => StatusAsync(cancel),
            Verb.Events when run.Follow => FollowEventsAsync(cancel),
            Verb.Events => EventsAsync(cancel),
            Verb.VmStart => CommandAsync(new StartVmNow(run.Host is { } host ? new HostId(host) : null), cancel),
            Verb.VmStop => CommandAsync(new StopVmNow(new VmId(run.Target!)), cancel),
            Verb.PolicyShow => PolicyAsync(cancel),
            Verb.PolicySet => CommandAsync(new SetPolicy(run.Target!, run.Value!), cancel),
            Verb.AutoscalePause => CommandAsync(new SetAutoscale(true), cancel),
            Verb.AutoscaleResume => CommandAsync(new SetAutoscale(false), cancel),
            Verb.BondStatus => BondAsync(cancel),
            _ => throw new InvalidOperationException($"unreachable: verb {run.Verb}"),
        };

        private async Task<int> StatusAsync(CancellationToken cancel)
        {
            var (status, exit) = await AskStatusAsync(cancel);
            if (status is null) return exit;
            if (Options.Json) stdout.WriteLine(status.Value.Json);
            else Render.Status(status.Value.Document, stdout);
            return Ok;
        }

        private async Task<int> EventsAsync(CancellationToken cancel)
        {
            var (status, exit) = await AskStatusAsync(cancel);
            if (status is null) return exit;
            if (Options.Json) stdout.WriteLine(EventsElement(status.Value.Json).GetRawText());
            else if (status.Value.Document.Events.Count == 0) stdout.WriteLine("No events yet.");
            else Render.Events(status.Value.Document.Events, stdout);
            return Ok;
        }

        /// <summary>Prints the log, then every second the events that were not in the previous answer.</summary>
        private async Task<int> FollowEventsAsync(CancellationToken cancel)
        {
            var previous = new HashSet<ScaleEvent>();
            var headerWritten = false;
            while (!cancel.IsCancellationRequested)
            {
                var (status, exit) = await AskStatusAsync(cancel);
                if (status is null) return cancel.IsCancellationRequested ? Ok : exit;
                var events = status.Value.Document.Events;
                var fresh = events.Select((e, i) => (Event: e, Index: i)).Where(x => !previous.Contains(x.Event)).ToList();
                if (fresh.Count > 0)
                {
                    if (Options.Json)
                    {
                        var raw = EventsElement(status.Value.Json).EnumerateArray().ToList();
                        foreach (var (_, index) in Enumerable.Reverse(fresh)) stdout.WriteLine(raw[index].GetRawText());
                    }
                    else
                    {
                        Render.Events(fresh.Select(x => x.Event), stdout, !headerWritten, Render.FollowWidths);
                        headerWritten = true;
                    }

                    await stdout.FlushAsync(cancel);
                }

                previous = events.ToHashSet();
                try
                {
                    await Task.Delay(FollowInterval, cancel);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return Ok;
        }

        private async Task<int> PolicyAsync(CancellationToken cancel)
        {
            var (status, exit) = await AskStatusAsync(cancel);
            if (status is null) return exit;
            if (status.Value.Document.Policy is not { } policy)
            {
                var why = status.Value.Document.Problems.Count > 0 ? string.Join("; ", status.Value.Document.Problems) : "no policy in the status";
                stderr.WriteLine($"luban: the policy is not available: {why}");
                return SeedFailed;
            }

            if (Options.Json)
            {
                using var doc = JsonDocument.Parse(status.Value.Json);
                stdout.WriteLine(doc.RootElement.GetProperty("policy").GetRawText());
            }
            else
            {
                Render.Policy(policy, stdout);
            }

            return Ok;
        }

        private async Task<int> BondAsync(CancellationToken cancel)
        {
            var (reply, exit) = await AskAsync<BondProtocol.BondStatusReport>(BondProtocol.GetBondStatus.Instance, cancel);
            if (reply is null) return exit;
            if (Options.Json) stdout.WriteLine(JsonSerializer.Serialize(reply, CliJson.Options));
            else Render.Bond(reply, stdout);
            return Ok;
        }

        /// <summary>A command the seed accepts or refuses: the message on stdout, or on stderr with exit 3.</summary>
        private async Task<int> CommandAsync(object command, CancellationToken cancel)
        {
            var outcome = await connection.AskAsync(command, Options.Timeout, cancel);
            if (outcome is not AskOutcome.Answered { Reply: OperatorReply reply }) return Failed(outcome);
            if (Options.Json) stdout.WriteLine(JsonSerializer.Serialize(reply, CliJson.Options));
            else if (reply.Accepted) stdout.WriteLine(reply.Message);
            if (reply.Accepted) return Ok;
            stderr.WriteLine($"luban: refused: {reply.Message}");
            return Refused;
        }

        private async Task<((StatusDocument Document, string Json)? Status, int Exit)> AskStatusAsync(CancellationToken cancel)
        {
            var (reply, exit) = await AskAsync<StatusJson>(GetStatusJson.Instance, cancel);
            if (reply is null) return (null, exit);
            try
            {
                var document = JsonSerializer.Deserialize<StatusDocument>(reply.Json, CliJson.Options)
                               ?? throw new JsonException("the document is null");
                return ((document, reply.Json), Ok);
            }
            catch (JsonException error)
            {
                stderr.WriteLine($"luban: the seed's status document could not be read: {error.Message}");
                return (null, SeedFailed);
            }
        }

        private async Task<(T? Reply, int Exit)> AskAsync<T>(object question, CancellationToken cancel) where T : class
        {
            AskOutcome outcome;
            try
            {
                outcome = await connection.AskAsync(question, Options.Timeout, cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return (null, Ok);
            }

            return outcome is AskOutcome.Answered { Reply: T reply } ? (reply, Ok) : (null, Failed(outcome));
        }

        /// <summary>Writes the one line that says why there is no answer, and returns the exit code for it.</summary>
        private int Failed(AskOutcome outcome)
        {
            var seeds = string.Join(", ", Options.Seeds);
            var within = $"{Options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            switch (outcome)
            {
                case AskOutcome.SeedUnreachable:
                    stderr.WriteLine($"luban: cannot reach the seed at {seeds} within {within}");
                    return SeedFailed;
                case AskOutcome.NoAnswer:
                    stderr.WriteLine($"luban: the seed at {seeds} did not answer within {within}");
                    return SeedFailed;
                case AskOutcome.Answered { Reply: OperatorReply { Accepted: false } refusal }:
                    stderr.WriteLine($"luban: refused: {refusal.Message}");
                    return Refused;
                case AskOutcome.Answered answered:
                    stderr.WriteLine($"luban: the seed answered with an unexpected {answered.Reply.GetType().Name}");
                    return SeedFailed;
                default:
                    throw new InvalidOperationException($"unreachable: outcome {outcome}");
            }
        }

        private static JsonElement EventsElement(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("events").Clone();
        }
    }
}
