using System.Text.Json;

namespace Luban.Load.Status;

/// <summary>
/// The parts of the seed's <c>/api/status</c> document the load generator reads (a tolerant reader: other fields are
/// ignored, so the document may grow). Field names as the admin API writes them, camelCase.
/// </summary>
public sealed record AdminStatus(
    IReadOnlyList<AdminHost>? Hosts,
    AdminPolicy? Policy,
    IReadOnlyList<AdminEvent>? Events,
    IReadOnlyList<string>? Problems)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>False when the seed answered without the supervisor's part (hosts and policy missing).</summary>
    public bool HasScaling => Policy is not null;

    public IEnumerable<AdminVm> Vms => (Hosts ?? []).SelectMany(host => (host.Vms ?? []).Select(vm => vm with { Host = host.Id }));

    public static AdminStatus Parse(string json) =>
        JsonSerializer.Deserialize<AdminStatus>(json, Json) ?? throw new JsonException("the status document is null");
}

public sealed record AdminHost(string Id, bool Reachable, IReadOnlyList<AdminVm>? Vms);

/// <param name="State">ShutOff, Booting, InService, Draining, Stopping or Failed.</param>
/// <param name="Host">Filled in from the enclosing host by <see cref="AdminStatus.Vms"/>.</param>
public sealed record AdminVm(string Id, string State, int? Connections, string? Host = null);

public sealed record AdminPolicy(
    int SMax,
    double TUpper,
    double TLower,
    int MinVms,
    int MaxVms,
    double TickIntervalSeconds,
    double ScaleOutCooldownSeconds,
    double ScaleInCooldownSeconds);

/// <param name="Kind">start, started, drain, stop, stopped, undrain, warn, hold, …</param>
public sealed record AdminEvent(DateTimeOffset At, string Kind, string Rule, string Reason, string? Host, string? Vm);
