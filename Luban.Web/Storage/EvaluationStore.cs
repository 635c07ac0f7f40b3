using Luban.FengShui.Scoring;

namespace Luban.Web.Storage;

/// <summary>One row of the records list.</summary>
public sealed record EvaluationSummary(
    string Id, DateTimeOffset CreatedAt, string? Label, string Model, string RulerProfile, string HouseType, decimal Total, string Grade, string Instance);

public sealed record EvaluationPage(IReadOnlyList<EvaluationSummary> Items, int Page, int PageSize, long Total);

/// <summary>
/// Records of §7.7. Ids are time-ordered GUIDs made by the writer, so instances sharing one database never collide
/// and no write waits on another instance's sequence.
/// </summary>
public interface IEvaluationStore
{
    Task InitializeAsync(CancellationToken cancellationToken);
    Task AddAsync(EvaluationResult record, string instance, CancellationToken cancellationToken);
    Task<EvaluationResult?> GetAsync(string id, CancellationToken cancellationToken);
    Task<EvaluationPage> ListAsync(int page, int pageSize, CancellationToken cancellationToken);
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
