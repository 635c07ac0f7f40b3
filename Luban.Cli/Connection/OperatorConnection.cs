using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Remote;
using Luban.Protocol.Operator;
using Luban.Protocol.Security;

namespace Luban.Cli.Connection;

/// <summary>How one question to the seed ended.</summary>
public abstract record AskOutcome
{
    private AskOutcome()
    {
    }

    public sealed record Answered(object Reply) : AskOutcome;

    /// <summary>No connection to any seed was made within the timeout.</summary>
    public sealed record SeedUnreachable : AskOutcome;

    /// <summary>A seed was reached but nothing answered within the timeout.</summary>
    public sealed record NoAnswer : AskOutcome;
}

/// <summary>
/// The CLI's way into the cluster: a small remote-only actor system (not a cluster member) with a ClusterClient to the
/// seeds' receptionists, asking the operator endpoint one question at a time.
/// </summary>
public sealed class OperatorConnection : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(3);

    private readonly ActorSystem _system;
    private readonly IActorRef _client;
    private readonly TaskCompletionSource _reached;

    private OperatorConnection(ActorSystem system, IActorRef client, TaskCompletionSource reached)
    {
        _system = system;
        _client = client;
        _reached = reached;
    }

    /// <summary>Starts the client system; <paramref name="commonHocon"/> supplies the wire serializer binding, and
    /// <paramref name="credentials"/> the certificate it shows the seed (mutual TLS) and signs its questions with.</summary>
    public static OperatorConnection Open(IReadOnlyList<string> seeds, Config commonHocon, NodeCredentials credentials)
    {
        var config = ClientConfig(seeds)
            .WithFallback(commonHocon)
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig());
        var system = ActorSystem.Create("luban-cli", BootstrapSetup.Create().WithConfig(config)
            .And(ClusterTls.Setup(credentials, TimeProvider.System))
            .And(new WireIdentitySetup(credentials)));
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(SeedContactWatcher.Props(reached), "seed-contact");
        system.EventStream.Subscribe(watcher, typeof(AssociatedEvent));
        var contacts = seeds.Select(s => ActorPath.Parse($"{s}/system/receptionist")).ToImmutableHashSet();
        var client = system.ActorOf(
            ClusterClient.Props(ClusterClientSettings.Create(system).WithInitialContacts(contacts)), "operator-client");
        return new OperatorConnection(system, client, reached);
    }

    public async Task<AskOutcome> AskAsync(object message, TimeSpan timeout, CancellationToken cancel)
    {
        try
        {
            var reply = await _client.Ask<object>(new ClusterClient.Send(OperatorProtocol.EndpointPath, message),
                timeout, cancel);
            return new AskOutcome.Answered(reply);
        }
        catch (AskTimeoutException)
        {
            return _reached.Task.IsCompleted ? new AskOutcome.NoAnswer() : new AskOutcome.SeedUnreachable();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _system.Terminate().WaitAsync(ShutdownWait);
        }
        catch (TimeoutException)
        {
            // The answer is already printed; a slow remoting shutdown must not hold the operator's prompt.
        }
    }

    private static Config ClientConfig(IReadOnlyList<string> seeds)
    {
        var localHost = LocalAddressToward(Address.Parse(seeds[0]).Host ?? "127.0.0.1");
        return ConfigurationFactory.ParseString($$"""
            akka {
              # stdout carries only the command's output; the CLI reports failures itself in one line.
              loglevel = OFF
              stdout-loglevel = OFF
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = remote
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{localHost}}"
                  port = 0
                  enable-ssl = true
                }
                # A seed that is still starting is retried within the timeout instead of being gated for 5 s.
                retry-gate-closed-for = 500ms
                # The CLI has nothing left to deliver when it exits; waiting to flush only delays the prompt.
                flush-wait-on-shutdown = 0s
              }
              cluster.client {
                establishing-get-contacts-interval = 500ms
                reconnect-timeout = off
              }
            }
            """);
    }

    /// <summary>Loopback for a seed on this machine; otherwise the local address the OS routes toward the seed.</summary>
    private static string LocalAddressToward(string seedHost)
    {
        try
        {
            var target = IPAddress.TryParse(seedHost, out var literal)
                ? literal
                : Dns.GetHostAddresses(seedHost).First(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (IPAddress.IsLoopback(target)) return "127.0.0.1";
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(target, 9);
            return ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
        }
        catch (Exception error) when (error is SocketException or InvalidOperationException)
        {
            // An unresolvable seed fails to connect later with the usual one-line message.
            return "127.0.0.1";
        }
    }

    /// <summary>Notes the first association with a remote system, which tells "unreachable" from "no answer".</summary>
    private sealed class SeedContactWatcher : ReceiveActor
    {
        public SeedContactWatcher(TaskCompletionSource reached)
        {
            Receive<AssociatedEvent>(_ => reached.TrySetResult());
        }

        public static Props Props(TaskCompletionSource reached) =>
            Akka.Actor.Props.Create(() => new SeedContactWatcher(reached));
    }
}
