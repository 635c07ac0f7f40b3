using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Luban.Protocol;
using Luban.Protocol.Security;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Actors.Hypervisor;

/// <summary>What an agent talks to; the agent disposes them when it stops.</summary>
/// <param name="PortIsFree">Whether a host port can be forwarded; defaults to trying to listen on the settings'
/// forward address.</param>
public sealed record HypervisorAgentDependencies(
    IHypervisor Hypervisor,
    IConnectionProbe ConnectionProbe,
    IHealthProbe HealthProbe,
    Func<int, bool>? PortIsFree = null) : IDisposable
{
    public void Dispose()
    {
        Hypervisor.Dispose();
        ConnectionProbe.Dispose();
        HealthProbe.Dispose();
    }

    public static bool PortIsFreeOn(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>
/// One per hypervisor host: the messaging around a <see cref="HostPool{TReplyTo}"/>. Registers with the
/// ScaleSupervisor (retrying until acknowledged), reports every report interval, and carries out what the pool asks:
/// hypervisor calls, health checks and SSH probes as tasks piped back to the mailbox (never awaited in it), timers,
/// replies and log lines.
/// </summary>
public sealed class HypervisorAgent : ReceiveActor, IWithTimers
{
    private const string RegisterTimer = "register";
    private const string ReportTimer = "report";

    // Private messages never leave this process: they skip serialize-messages verification.
    private sealed class RegisterTick : INoSerializationVerificationNeeded
    {
        public static readonly RegisterTick Instance = new();
    }

    private sealed class ReportTick : INoSerializationVerificationNeeded
    {
        public static readonly ReportTick Instance = new();
    }

    private sealed record Listed(long Sequence, HypervisorResult<IReadOnlyList<GuestDomain>> Result) : INoSerializationVerificationNeeded;

    private sealed record GuestChecked(VmId Vm, long Generation, bool Healthy, ProbeResult? Probe) : INoSerializationVerificationNeeded;

    private sealed record StartFinished(string CommandId, VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record ShutdownSent(VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record DestroyFinished(VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record SuspendFinished(VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record ResumeFinished(string CommandId, VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record TimerFired(PoolTimer Timer) : INoSerializationVerificationNeeded;

    private readonly HostId _host;
    private readonly HypervisorSettings _settings;
    private readonly IActorRef _supervisor;
    private readonly HypervisorAgentDependencies _dependencies;
    private readonly HostPool<IActorRef> _pool;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public HypervisorAgent(HostId host, HypervisorSettings settings, IActorRef supervisor,
        Func<HypervisorAgentDependencies> dependencies)
    {
        _host = host;
        _settings = settings;
        _supervisor = supervisor;
        _dependencies = dependencies();
        var forwardAddress = IPAddress.Parse(_settings.ForwardAddress);
        _pool = new HostPool<IActorRef>(host, settings,
            _dependencies.PortIsFree ?? (port => HypervisorAgentDependencies.PortIsFreeOn(forwardAddress, port)));
        Become(Registering);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HostId host, HypervisorSettings settings, IActorRef supervisor,
        Func<HypervisorAgentDependencies> dependencies) =>
        Akka.Actor.Props.Create(() => new HypervisorAgent(host, settings, supervisor, dependencies));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _supervisor.Tell(new RegisterAgent(_host, _settings.ForwardAddress));
        Timers.StartPeriodicTimer(RegisterTimer, RegisterTick.Instance, _settings.ReportInterval);
        Timers.StartPeriodicTimer(ReportTimer, ReportTick.Instance, _settings.ReportInterval);
        Carry(_pool.OnStarted());
    }

    protected override void PostStop() => _dependencies.Dispose();

    /// <summary>Until the supervisor acknowledges: keep registering, keep watching the pool, send no reports yet.</summary>
    private void Registering()
    {
        Receive<RegisterTick>(_ => _supervisor.Tell(new RegisterAgent(_host, _settings.ForwardAddress)));
        Receive<AgentRegistered>(ack => ack.Host == _host && FromSeed(ack), _ =>
        {
            Timers.Cancel(RegisterTimer);
            Become(Registered);
            Carry(_pool.OnRegistered(Now));
        });
        CommonHandlers();
    }

    private void Registered()
    {
        Receive<RegisterTick>(_ => { });
        Receive<AgentRegistered>(_ => { });
        CommonHandlers();
    }

    private void CommonHandlers()
    {
        Receive<ReportTick>(_ => Carry(_pool.OnTick(Now)));
        Receive<StartVm>(FromSeed, command => Carry(_pool.OnStartVm(command, Sender)));
        Receive<StopVm>(FromSeed, command => Carry(_pool.OnStopVm(command, Sender)));
        Receive<Listed>(listed => Carry(_pool.OnListed(listed.Sequence, listed.Result, Now)));
        Receive<GuestChecked>(check => Carry(_pool.OnGuestChecked(check.Vm, check.Generation, check.Healthy, check.Probe, Now)));
        Receive<StartFinished>(finished => Carry(_pool.OnStartFinished(finished.CommandId, finished.Vm, finished.Result)));
        Receive<ShutdownSent>(sent => Carry(_pool.OnShutdownSent(sent.Vm, sent.Result)));
        Receive<DestroyFinished>(finished => Carry(_pool.OnDestroyFinished(finished.Vm, finished.Result)));
        Receive<SuspendFinished>(finished => Carry(_pool.OnSuspended(finished.Vm, finished.Result)));
        Receive<ResumeFinished>(finished => Carry(_pool.OnResumed(finished.CommandId, finished.Vm, finished.Result)));
        Receive<TimerFired>(fired => Carry(_pool.OnTimer(fired.Timer)));
        Receive<ILubanWireMessage>(message => _log.Warning("Host {0}: refused {1}: {2}", _host, message.GetType().Name,
            WireAuthority.Refusal(message, MessageSigners.Of(message)) ?? "not a message for an agent"));
    }

    /// <summary>Commands come only from a seed (the supervisor); anything signed by another member is dropped.</summary>
    private static bool FromSeed(object message) => WireAuthority.Refusal(message, MessageSigners.Of(message)) is null;

    private void Carry(IReadOnlyList<PoolEffect<IActorRef>> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case PoolEffect<IActorRef>.SendReport(var report):
                    _supervisor.Tell(report);
                    break;
                case PoolEffect<IActorRef>.Reply(var to, var message):
                    to.Tell(message);
                    break;
                case PoolEffect<IActorRef>.StartTimer(var key, var timer, var after):
                    Timers.StartSingleTimer(key, new TimerFired(timer), after);
                    break;
                case PoolEffect<IActorRef>.CancelTimer(var key):
                    Timers.Cancel(key);
                    break;
                case PoolEffect<IActorRef>.ForgetProbe(var vm):
                    _dependencies.ConnectionProbe.Forget(vm);
                    break;
                case PoolEffect<IActorRef>.ListDomains(var sequence):
                    _dependencies.Hypervisor.ListDomainsAsync(_pool.NamePrefix).PipeTo(Self,
                        success: result => new Listed(sequence, result),
                        failure: error => new Listed(sequence, new HypervisorError("list domains", error.Message)));
                    break;
                case PoolEffect<IActorRef>.CheckGuest(var guest, var generation, var inService):
                    CheckGuestAsync(guest, generation, inService, _dependencies.HealthProbe, _dependencies.ConnectionProbe,
                            _settings.ProbeTimeout)
                        .PipeTo(Self, failure: error => new GuestChecked(guest.Vm, generation, false, ProbeResult.Unknown(error.Message)));
                    break;
                case PoolEffect<IActorRef>.DefineAndStart(var id, var vm, var spec):
                    _dependencies.Hypervisor.DefineAndStartAsync(spec).PipeTo(Self,
                        success: result => new StartFinished(id, vm, result),
                        failure: error => new StartFinished(id, vm, new HypervisorError($"start {vm}", error.Message)));
                    break;
                case PoolEffect<IActorRef>.Shutdown(var vm):
                    _dependencies.Hypervisor.ShutdownAsync(vm.Value).PipeTo(Self,
                        success: result => new ShutdownSent(vm, result),
                        failure: error => new ShutdownSent(vm, new HypervisorError($"shutdown {vm}", error.Message)));
                    break;
                case PoolEffect<IActorRef>.Destroy(var vm):
                    _dependencies.Hypervisor.DestroyAsync(vm.Value).PipeTo(Self,
                        success: result => new DestroyFinished(vm, result),
                        failure: error => new DestroyFinished(vm, new HypervisorError($"destroy {vm}", error.Message)));
                    break;
                case PoolEffect<IActorRef>.Suspend(var vm):
                    _dependencies.Hypervisor.SuspendAsync(vm.Value).PipeTo(Self,
                        success: result => new SuspendFinished(vm, result),
                        failure: error => new SuspendFinished(vm, new HypervisorError($"suspend {vm}", error.Message)));
                    break;
                case PoolEffect<IActorRef>.Resume(var id, var vm):
                    _dependencies.Hypervisor.ResumeAsync(vm.Value).PipeTo(Self,
                        success: result => new ResumeFinished(id, vm, result),
                        failure: error => new ResumeFinished(id, vm, new HypervisorError($"resume {vm}", error.Message)));
                    break;
                case PoolEffect<IActorRef>.Note(var level, var message):
                    if (level == NoteLevel.Error) _log.Error(message);
                    else if (level == NoteLevel.Warning) _log.Warning(message);
                    else _log.Info(message);
                    break;
            }
        }
    }

    /// <summary>Health first, then the count, one after the other: the health check's own connection is closed by
    /// the time the guest counts. An in-service guest that answers its health check late but is counted over SSH is
    /// busy, not failed: it stays in service with its count (under load this is when its count matters most). A
    /// guest still booting enters service only on a real answer.</summary>
    private static async Task<GuestChecked> CheckGuestAsync(GuestAddress guest, long generation, bool inService,
        IHealthProbe health, IConnectionProbe connections, TimeSpan timeout)
    {
        var answer = await health.CheckAsync(guest, timeout).ConfigureAwait(false);
        if (answer == HealthAnswer.Down || (answer == HealthAnswer.Late && !inService))
            return new GuestChecked(guest.Vm, generation, false, null);

        using var deadline = new CancellationTokenSource(ProbeBudget.WorstCase(timeout));
        var probe = await connections.CountAsync(guest, deadline.Token).ConfigureAwait(false);
        var healthy = answer == HealthAnswer.Healthy || probe.Connections is not null;
        return new GuestChecked(guest.Vm, generation, healthy, healthy ? probe : null);
    }
}
