using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Luban.Load.Journeys;
using Npgsql;

namespace Luban.Tests.EndToEnd;

/// <summary>
/// Home buyers for a load run (<see cref="UserJourney"/>, each with an account of its own) whose saves are remembered:
/// every record the service acknowledged with 201, and every status a save got. Afterwards the records database says
/// whether each acknowledged record is there exactly once.
/// </summary>
public sealed class RecordingJourneys(string run)
{
    private int _clients;

    public ConcurrentDictionary<string, byte> Acknowledged { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<HttpStatusCode, long> SaveStatuses { get; } = new();

    public string EmailPattern => $"e2e-{run}-%@example.org";

    public IClientJourney Next() =>
        new Recording(new UserJourney($"e2e-{run}-{Interlocked.Increment(ref _clients)}@example.org", "correct horse battery", signInEvery: 0), this);

    public long Saves(HttpStatusCode status) => SaveStatuses.GetValueOrDefault(status);

    /// <summary>Record ids of these buyers in the database, with how often each is there, and the total row count.</summary>
    public async Task<(IReadOnlyDictionary<string, long> Rows, long Total)> StoredAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT r.id, count(*) FROM records r JOIN accounts a ON a.id = r.owner_id WHERE a.email LIKE @pattern GROUP BY r.id", connection);
        command.Parameters.AddWithValue("pattern", EmailPattern);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetInt64(1);
        return (rows, rows.Values.Sum());
    }

    private sealed class Recording(UserJourney inner, RecordingJourneys journeys) : IClientJourney
    {
        public (HttpRequestMessage Request, string Step) Next() => inner.Next();

        public void Observe(string step, HttpStatusCode status, IEnumerable<string> setCookies, string body)
        {
            if (step == "save")
            {
                journeys.SaveStatuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == HttpStatusCode.Created)
                {
                    using var json = JsonDocument.Parse(body);
                    journeys.Acknowledged.TryAdd(json.RootElement.GetProperty("id").GetString()!, 0);
                }
            }

            inner.Observe(step, status, setCookies, body);
        }
    }
}
