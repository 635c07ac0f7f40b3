using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Luban.Protocol;
using Luban.Actors.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;
using Luban.Protocol.Scaling;

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

    public static bool LoopbackPortIsFree(int port) => PortIsFreeOn(IPAddress.Loopback, port);

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
/// One per hypervisor host. Owns the host's pool of up to <c>max-vms</c> domains named <c>luban-&lt;host&gt;-&lt;n&gt;</c>:
/// registers with the ScaleSupervisor (retrying until acknowledged), then reports every VM's state, endpoint and
/// connection count each report interval, and answers <see cref="StartVm"/> / <see cref="StopVm"/> with explicit
/// results. Hypervisor calls, health checks and SSH probes are tasks piped back to the mailbox, never awaited in it.
/// </summary>
public sealed class HypervisorAgent : ReceiveActor, IWithTimers
{
    /// <summary>An in-service VM whose /healthz fails this many times in a row is reported Failed.</summary>
    public const int UnhealthyAfterFailedChecks = 3;

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

    private sealed record StartTimedOut(string CommandId) : INoSerializationVerificationNeeded;

    private sealed record ShutdownSent(VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record GraceExpired(VmId Vm) : INoSerializationVerificationNeeded;

    private sealed record DestroyFinished(VmId Vm, HypervisorResult<Done> Result) : INoSerializationVerificationNeeded;

    private sealed record DestroyTimedOut(VmId Vm) : INoSerializationVerificationNeeded;

    private sealed record Waiter(string CommandId, IActorRef ReplyTo);

    private sealed class StopInProgress(Waiter first)
    {
        public List<Waiter> Waiters { get; } = [first];
        public bool Destroying { get; set; }
        public string? DestroyError { get; set; }
    }

    /// <summary>Everything the agent knows about one VM of its pool.</summary>
    private sealed class Slot(VmId id, int index, GuestAddress address)
    {
        public VmId Id { get; } = id;
        public int Index { get; } = index;
        public GuestAddress Address { get; } = address;

        /// <summary>The last state libvirt gave; null when the domain is not defined.</summary>
        public GuestDomain? Domain { get; set; }

        /// <summary>Listings issued before this sequence number predate our own last start/stop and are ignored.</summary>
        public long IgnoreListingsBefore { get; set; }

        public Waiter? Start { get; set; }
        public StopInProgress? Stop { get; set; }

        /// <summary>It went down without being told to: reported Failed until started or stopped again.</summary>
        public bool Died { get; set; }

        public bool Healthy { get; set; }
        public bool Unhealthy { get; set; }
        public int FailedChecks { get; set; }
        public DateTimeOffset? InServiceSince { get; set; }
        public int? Connections { get; set; }
        public string? ProbeError { get; set; }
        public bool CheckInFlight { get; set; }

        /// <summary>Bumped whenever the guest's life restarts, so a health check started before is dropped.</summary>
        public long Generation { get; set; }

        public void ForgetGuest()
        {
            Generation++;
            Healthy = false;
            Unhealthy = false;
            FailedChecks = 0;
            InServiceSince = null;
            Connections = null;
            ProbeError = null;
        }
    }

    private readonly HostId _host;
    private readonly HypervisorSettings _settings;
    private readonly IActorRef _supervisor;
    private readonly HypervisorAgentDependencies _dependencies;
    private readonly Func<int, bool> _portIsFree;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SortedDictionary<int, Slot> _slots = new();
    private readonly string _namePrefix;
    private long _listSequence;
    private bool _registered;
    // No report before the pool has been listed once: an empty report from a fresh agent (e.g. one rejoining a
    // restarted seed) would read as "this host runs no VM" and make the supervisor start one beside those running.
    private bool _listed;
    private bool _listInFlight;
    private string? _lastListError;

    public HypervisorAgent(HostId host, HypervisorSettings settings, IActorRef supervisor,
        Func<HypervisorAgentDependencies> dependencies)
    {
        _host = host;
        _settings = settings;
        _supervisor = supervisor;
        _dependencies = dependencies();
        var forwardAddress = IPAddress.Parse(_settings.ForwardAddress);
        _portIsFree = _dependencies.PortIsFree ?? (port => HypervisorAgentDependencies.PortIsFreeOn(forwardAddress, port));
        _namePrefix = VmId.For(host, 1).Value[..^1];
        Become(Registering);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HostId host, HypervisorSettings settings, IActorRef supervisor,
        Func<HypervisorAgentDependencies> dependencies) =>
        Akka.Actor.Props.Create(() => new HypervisorAgent(host, settings, supervisor, dependencies));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _supervisor.Tell(new RegisterAgent(_host));
        Timers.StartPeriodicTimer(RegisterTimer, RegisterTick.Instance, _settings.ReportInterval);
        Timers.StartPeriodicTimer(ReportTimer, ReportTick.Instance, _settings.ReportInterval);
        PollHypervisor();
    }

    protected override void PostStop() => _dependencies.Dispose();

    /// <summary>Until the supervisor acknowledges: keep registering, keep watching the pool, send no reports yet.</summary>
    private void Registering()
    {
        Receive<RegisterTick>(_ => _supervisor.Tell(new RegisterAgent(_host)));
        Receive<AgentRegistered>(ack => ack.Host == _host, _ =>
        {
            Timers.Cancel(RegisterTimer);
            _log.Info("Host {0} registered with the ScaleSupervisor", _host);
            Become(Registered);
            _registered = true;
            if (_listed) _supervisor.Tell(Report());
        });
        Receive<ReportTick>(_ => OnTick(report: false));
        CommonHandlers();
    }

    private void Registered()
    {
        Receive<RegisterTick>(_ => { });
        Receive<AgentRegistered>(_ => { });
        Receive<ReportTick>(_ => OnTick(report: true));
        CommonHandlers();
    }

    private void CommonHandlers()
    {
        Receive<StartVm>(OnStartVm);
        Receive<StopVm>(OnStopVm);
        Receive<Listed>(OnListed);
        Receive<GuestChecked>(OnGuestChecked);
        Receive<StartFinished>(OnStartFinished);
        Receive<StartTimedOut>(OnStartTimedOut);
        Receive<ShutdownSent>(OnShutdownSent);
        Receive<GraceExpired>(OnGraceExpired);
        Receive<DestroyFinished>(OnDestroyFinished);
        Receive<DestroyTimedOut>(OnDestroyTimedOut);
    }

    private void OnTick(bool report)
    {
        if (report && _listed) _supervisor.Tell(Report());
        PollHypervisor();
        CheckGuests();
    }

    // ---- the pool as libvirt sees it ----

    private void PollHypervisor()
    {
        // One listing at a time: a slow daemon must not pile up calls on the hypervisor's queue.
        if (_listInFlight) return;
        _listInFlight = true;
        var sequence = ++_listSequence;
        _dependencies.Hypervisor.ListDomainsAsync(_namePrefix).PipeTo(Self,
            success: result => new Listed(sequence, result),
            failure: error => new Listed(sequence, new HypervisorError("list domains", error.Message)));
    }

    private void OnListed(Listed listed)
    {
        _listInFlight = false;
        if (listed.Result is not HypervisorResult<IReadOnlyList<GuestDomain>>.Ok ok)
        {
            var error = listed.Result.ErrorOrNull!.ToString();
            // Said once per distinct error: the agent keeps its last view and keeps asking every interval.
            if (error != _lastListError) _log.Warning("Host {0}: cannot list the pool: {1}", _host, error);
            _lastListError = error;
            return;
        }

        if (_lastListError is not null) _log.Info("Host {0}: the hypervisor answers again", _host);
        _lastListError = null;
        var byIndex = new Dictionary<int, GuestDomain>();
        foreach (var domain in ok.Value)
        {
            if (IndexOf(domain.Name) is { } index) byIndex[index] = domain;
        }

        foreach (var index in byIndex.Keys.Where(i => !_slots.ContainsKey(i)).ToList())
            SlotAt(index);
        foreach (var slot in _slots.Values)
        {
            if (listed.Sequence < slot.IgnoreListingsBefore) continue;
            Observe(slot, byIndex.GetValueOrDefault(slot.Index));
        }

        if (_listed) return;
        _listed = true;
        if (_registered) _supervisor.Tell(Report());
    }

    private void Observe(Slot slot, GuestDomain? domain)
    {
        var wasUp = slot.Domain?.IsUp == true;
        slot.Domain = domain;
        var isUp = domain?.IsUp == true;

        if (slot.Stop is { } stop)
        {
            if (!isUp) FinishStop(slot, null);
            else if (stop.DestroyError is { } destroyError) FinishStop(slot, destroyError);
            return;
        }

        if (wasUp && !isUp && slot.Start is null)
        {
            slot.Died = true;
            slot.ForgetGuest();
            _dependencies.ConnectionProbe.Forget(slot.Id);
            _log.Warning("Host {0}: {1} went down without being stopped ({2}); reported Failed", _host, slot.Id,
                domain?.State.ToString() ?? "no longer defined");
        }
    }

    // ---- health and connections ----

    private void CheckGuests()
    {
        foreach (var slot in _slots.Values)
        {
            if (slot.CheckInFlight || slot.Start is not null || slot.Stop is not null) continue;
            if (slot.Domain?.State.State is not (DomainState.Running or DomainState.Blocked)) continue;

            slot.CheckInFlight = true;
            var (vm, generation) = (slot.Id, slot.Generation);
            CheckGuestAsync(slot.Address, generation, slot.InServiceSince is not null, _dependencies.HealthProbe,
                    _dependencies.ConnectionProbe, _settings.ProbeTimeout)
                .PipeTo(Self, failure: error => new GuestChecked(vm, generation, false, ProbeResult.Unknown(error.Message)));
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

    private void OnGuestChecked(GuestChecked check)
    {
        if (!_slots.TryGetValue(IndexOf(check.Vm.Value) ?? 0, out var slot)) return;
        slot.CheckInFlight = false;
        if (check.Generation != slot.Generation) return;

        if (check.Healthy)
        {
            if (slot.InServiceSince is null) _log.Info("Host {0}: {1} is in service", _host, slot.Id);
            slot.Healthy = true;
            slot.Unhealthy = false;
            slot.FailedChecks = 0;
            slot.InServiceSince ??= Now;
        }
        else
        {
            slot.Healthy = false;
            slot.FailedChecks++;
            if (slot.InServiceSince is not null && slot.FailedChecks >= UnhealthyAfterFailedChecks)
            {
                _log.Warning("Host {0}: {1} failed {2} health checks in a row; reported Failed", _host, slot.Id, slot.FailedChecks);
                slot.InServiceSince = null;
                slot.Unhealthy = true;
            }
        }

        slot.Connections = check.Probe?.Connections;
        var probeError = check.Probe?.Error;
        if (probeError is not null && probeError != slot.ProbeError)
        {
            if (check.Probe!.HostKeyRejected)
                _log.Error("Host {0}: {1} presented an SSH host key that is not the pinned one; refused: {2}", _host, slot.Id, probeError);
            else
                _log.Warning("Host {0}: connection probe of {1} failed (count unknown): {2}", _host, slot.Id, probeError);
        }

        slot.ProbeError = probeError;
    }

    // ---- StartVm ----

    private void OnStartVm(StartVm command)
    {
        if (command.Host != _host)
        {
            Sender.Tell(new StartVmResult(command.Host, command.CommandId, null, false,
                $"this is the agent of host {_host}, not {command.Host}"));
            return;
        }

        var occupied = _slots.Values.Where(Occupied).ToList();
        if (occupied.Count >= _settings.MaxVms)
        {
            Sender.Tell(new StartVmResult(_host, command.CommandId, null, false,
                $"host {_host} already runs {occupied.Count} VM(s) ({string.Join(", ", occupied.Select(s => s.Id))}), its max-vms of {_settings.MaxVms}"));
            return;
        }

        var slot = Enumerable.Range(1, _settings.MaxVms).Select(SlotAt).First(s => !Occupied(s));
        var busy = new[] { slot.Address.ServiceHostPort, slot.Address.SshHostPort }.Where(p => !_portIsFree(p)).ToList();
        if (busy.Count > 0)
        {
            Sender.Tell(new StartVmResult(_host, command.CommandId, slot.Id, false,
                $"host port(s) {string.Join(", ", busy)} for {slot.Id} are in use by another process ({HypervisorSettings.HostPortBaseKey} = {_settings.HostPortBaseFor(_host)})"));
            return;
        }

        DomainSpec spec;
        try
        {
            spec = SpecOf(slot);
        }
        catch (ArgumentException error)
        {
            // A template value the guest cannot take (e.g. a database string with spaces) fails the command, not the agent.
            Sender.Tell(new StartVmResult(_host, command.CommandId, slot.Id, false, $"cannot build the domain of {slot.Id}: {error.Message}"));
            return;
        }

        slot.Start = new Waiter(command.CommandId, Sender);
        slot.Died = false;
        slot.ForgetGuest();
        Timers.StartSingleTimer(StartTimerKey(command.CommandId), new StartTimedOut(command.CommandId), _settings.CommandTimeout);
        _log.Info("Host {0}: starting {1} (command {2})", _host, slot.Id, command.CommandId);

        var (id, vm) = (command.CommandId, slot.Id);
        _dependencies.Hypervisor.DefineAndStartAsync(spec).PipeTo(Self,
            success: result => new StartFinished(id, vm, result),
            failure: error => new StartFinished(id, vm, new HypervisorError($"start {vm}", error.Message)));
    }

    private static bool Occupied(Slot slot) => slot.Start is not null || slot.Stop is not null || slot.Domain?.IsUp == true;

    private void OnStartFinished(StartFinished finished)
    {
        if (!_slots.TryGetValue(IndexOf(finished.Vm.Value) ?? 0, out var slot)) return;
        if (slot.Start?.CommandId != finished.CommandId)
        {
            // Answered already (timed out): the listings tell what really happened.
            _log.Warning("Host {0}: start of {1} finished after its timeout: {2}", _host, finished.Vm,
                finished.Result.ErrorOrNull?.ToString() ?? "started");
            return;
        }

        Timers.Cancel(StartTimerKey(finished.CommandId));
        var waiter = slot.Start;
        slot.Start = null;
        if (finished.Result.ErrorOrNull is { } error)
        {
            _log.Warning("Host {0}: could not start {1}: {2}", _host, slot.Id, error);
            waiter.ReplyTo.Tell(new StartVmResult(_host, waiter.CommandId, slot.Id, false, error.ToString()));
            return;
        }

        slot.Domain = new GuestDomain(slot.Id.Value, new DomainStateInfo(DomainState.Running, (int)RunningReason.Booted));
        slot.IgnoreListingsBefore = _listSequence + 1;
        waiter.ReplyTo.Tell(new StartVmResult(_host, waiter.CommandId, slot.Id, true, null));
    }

    private void OnStartTimedOut(StartTimedOut timeout)
    {
        var slot = _slots.Values.FirstOrDefault(s => s.Start?.CommandId == timeout.CommandId);
        if (slot is null) return;
        var waiter = slot.Start!;
        slot.Start = null;
        _log.Warning("Host {0}: start of {1} did not finish within {2}", _host, slot.Id, _settings.CommandTimeout);
        waiter.ReplyTo.Tell(new StartVmResult(_host, waiter.CommandId, slot.Id, false,
            $"the hypervisor did not finish starting {slot.Id} within {_settings.CommandTimeout.TotalSeconds:0.#} s; the next reports show whether it booted"));
    }

    // ---- StopVm ----

    private void OnStopVm(StopVm command)
    {
        var waiter = new Waiter(command.CommandId, Sender);
        if (command.Host != _host)
        {
            Reply(waiter, command.Vm, $"this is the agent of host {_host}, not {command.Host}");
            return;
        }

        if (IndexOf(command.Vm.Value) is not { } index || !_slots.TryGetValue(index, out var slot)
                                                       || (slot.Domain is null && slot.Start is null && slot.Stop is null))
        {
            Reply(waiter, command.Vm, $"unknown VM {command.Vm}: not a defined domain of host {_host}'s pool");
            return;
        }

        if (slot.Start is not null)
        {
            Reply(waiter, command.Vm, $"{slot.Id} is still being started (command {slot.Start.CommandId}); stop it once it runs");
            return;
        }

        if (slot.Stop is { } running)
        {
            running.Waiters.Add(waiter);
            return;
        }

        if (slot.Domain?.IsUp != true)
        {
            slot.Died = false;
            Reply(waiter, slot.Id, null);
            return;
        }

        slot.Stop = new StopInProgress(waiter);
        slot.ForgetGuest();
        _dependencies.ConnectionProbe.Forget(slot.Id);
        Timers.StartSingleTimer(GraceTimerKey(slot.Id), new GraceExpired(slot.Id), _settings.ShutdownGrace);
        _log.Info("Host {0}: stopping {1} (ACPI, destroyed after {2})", _host, slot.Id, _settings.ShutdownGrace);

        var vm = slot.Id;
        _dependencies.Hypervisor.ShutdownAsync(vm.Value).PipeTo(Self,
            success: result => new ShutdownSent(vm, result),
            failure: error => new ShutdownSent(vm, new HypervisorError($"shutdown {vm}", error.Message)));
    }

    private void OnShutdownSent(ShutdownSent sent)
    {
        if (!TryGetStopping(sent.Vm, out var slot, out var stop) || sent.Result.ErrorOrNull is not { } error) return;
        if (error.NotFound)
        {
            FinishStop(slot, null);
            return;
        }

        // A guest that cannot be asked is powered off without waiting for the grace period.
        _log.Warning("Host {0}: ACPI shutdown of {1} failed ({2}); destroying it", _host, slot.Id, error);
        if (!stop.Destroying) BeginDestroy(slot, stop);
    }

    private void OnGraceExpired(GraceExpired expired)
    {
        if (!TryGetStopping(expired.Vm, out var slot, out var stop) || stop.Destroying) return;
        _log.Warning("Host {0}: {1} still runs {2} after the ACPI shutdown; destroying it", _host, slot.Id, _settings.ShutdownGrace);
        BeginDestroy(slot, stop);
    }

    private void BeginDestroy(Slot slot, StopInProgress stop)
    {
        stop.Destroying = true;
        Timers.Cancel(GraceTimerKey(slot.Id));
        Timers.StartSingleTimer(DestroyTimerKey(slot.Id), new DestroyTimedOut(slot.Id), _settings.CommandTimeout);
        var vm = slot.Id;
        _dependencies.Hypervisor.DestroyAsync(vm.Value).PipeTo(Self,
            success: result => new DestroyFinished(vm, result),
            failure: error => new DestroyFinished(vm, new HypervisorError($"destroy {vm}", error.Message)));
    }

    private void OnDestroyFinished(DestroyFinished finished)
    {
        if (!TryGetStopping(finished.Vm, out var slot, out var stop)) return;
        Timers.Cancel(DestroyTimerKey(slot.Id));
        if (finished.Result.ErrorOrNull is { } error && !error.NotFound)
        {
            // It may have powered off just before the destroy: the next listing decides success or failure.
            stop.DestroyError = error.ToString();
            slot.IgnoreListingsBefore = _listSequence + 1;
            return;
        }

        slot.Domain = slot.Domain is null ? null
            : slot.Domain with { State = new DomainStateInfo(DomainState.ShutOff, (int)ShutOffReason.Destroyed) };
        slot.IgnoreListingsBefore = _listSequence + 1;
        FinishStop(slot, null);
    }

    private void OnDestroyTimedOut(DestroyTimedOut timeout)
    {
        if (!TryGetStopping(timeout.Vm, out var slot, out _)) return;
        FinishStop(slot, $"destroying {slot.Id} did not finish within {_settings.CommandTimeout.TotalSeconds:0.#} s");
    }

    private bool TryGetStopping(VmId vm, out Slot slot, out StopInProgress stop)
    {
        slot = null!;
        stop = null!;
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var found) || found.Stop is null) return false;
        (slot, stop) = (found, found.Stop);
        return true;
    }

    private void FinishStop(Slot slot, string? error)
    {
        var stop = slot.Stop!;
        slot.Stop = null;
        Timers.Cancel(GraceTimerKey(slot.Id));
        Timers.Cancel(DestroyTimerKey(slot.Id));
        if (error is null)
        {
            slot.Died = false;
            _log.Info("Host {0}: {1} is shut off", _host, slot.Id);
        }
        else
        {
            _log.Warning("Host {0}: could not stop {1}: {2}", _host, slot.Id, error);
        }

        foreach (var waiter in stop.Waiters)
            Reply(waiter, slot.Id, error);
    }

    private void Reply(Waiter waiter, VmId vm, string? error) =>
        waiter.ReplyTo.Tell(new StopVmResult(_host, waiter.CommandId, vm, error is null, error));

    // ---- the report ----

    private HostReport Report()
    {
        var vms = new List<VmReport>();
        foreach (var slot in _slots.Values)
        {
            if (StateOf(slot) is not { } state) continue;
            var up = slot.Start is not null || slot.Stop is not null || slot.Domain?.IsUp == true;
            vms.Add(new VmReport(slot.Id, state, up ? slot.Address.Endpoint : null,
                state == VmState.InService ? slot.Connections : null,
                state == VmState.InService ? slot.InServiceSince : null));
        }

        return new HostReport(_host, _settings.MinVms, _settings.MaxVms, vms, Now);
    }

    /// <summary>The reported state; null for a slot with no domain (never defined, or undefined by someone).</summary>
    private static VmState? StateOf(Slot slot)
    {
        if (slot.Stop is not null) return VmState.Stopping;
        if (slot.Start is not null) return VmState.Booting;
        if (slot.Domain is not { } domain) return null;
        if (!domain.IsUp) return slot.Died || domain.State.State == DomainState.Crashed ? VmState.Failed : VmState.ShutOff;
        return domain.State.State switch
        {
            DomainState.Paused or DomainState.PmSuspended => VmState.Failed,
            DomainState.ShuttingDown => VmState.Stopping,
            _ when slot.Healthy || slot.InServiceSince is not null => VmState.InService,
            _ when slot.Unhealthy => VmState.Failed,
            _ => VmState.Booting,
        };
    }

    // ---- naming and the domain template ----

    private int? IndexOf(string name)
    {
        if (!name.StartsWith(_namePrefix, StringComparison.Ordinal)) return null;
        return int.TryParse(name.AsSpan(_namePrefix.Length), System.Globalization.NumberStyles.None,
                   System.Globalization.CultureInfo.InvariantCulture, out var index)
               && index > 0 && VmId.For(_host, index).Value == name
            ? index
            : null;
    }

    private Slot SlotAt(int index)
    {
        if (_slots.TryGetValue(index, out var slot)) return slot;
        var (service, ssh) = _settings.HostPortsOf(_host, index);
        var id = VmId.For(_host, index);
        slot = new Slot(id, index, new GuestAddress(id, _settings.ForwardAddress, service, ssh, _settings.ServicePort));
        _slots[index] = slot;
        return slot;
    }

    private DomainSpec SpecOf(Slot slot)
    {
        var name = slot.Id.Value;
        return new DomainSpec(name, _settings.DomainType, _settings.MemoryMiB, _settings.VirtualCpus,
            _settings.KernelPath, _settings.InitrdPath,
            new GuestBootArgs(name, _settings.ServicePort, _settings.Database, HypervisorSettings.GuestSshPort).ToKernelCommandLine(),
            [
                new PortForward(slot.Address.ServiceHostPort, _settings.ServicePort, slot.Address.Host),
                new PortForward(slot.Address.SshHostPort, HypervisorSettings.GuestSshPort, slot.Address.Host),
            ],
            _settings.ConsoleLogDirectory is { } logs ? Path.Combine(logs, $"{name}.console.log") : null,
            Emulator: _settings.Emulator);
    }

    private static string StartTimerKey(string commandId) => $"start:{commandId}";

    private static string GraceTimerKey(VmId vm) => $"grace:{vm}";

    private static string DestroyTimerKey(VmId vm) => $"destroy:{vm}";
}
