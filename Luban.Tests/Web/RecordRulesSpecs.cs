using System.Text;
using Luban.FengShui;
using Luban.FengShui.Model;
using Luban.Tests.FengShui;
using Luban.Web.Records;

namespace Luban.Tests.Web;

/// <summary>The pure parts of the records list and export: query parsing, CSV, Idempotency-Key.</summary>
public class RecordRulesSpecs
{
    [Fact]
    public void An_empty_query_should_be_the_newest_20()
    {
        var (query, errors) = RecordQuery.Parse(null, null, null, null, null, null);

        Assert.Empty(errors);
        Assert.Equal(RecordQuery.Default, query);
    }

    [Fact]
    public void A_full_query_should_read_every_parameter()
    {
        var (query, _) = RecordQuery.Parse("  公寓 ", "B", "APARTMENT", "score_asc", "3", "50");

        Assert.Equal(new RecordQuery("公寓", Grade.B, HouseType.APARTMENT, RecordSort.ScoreAsc, 3, 50), query);
        Assert.Equal(100, query!.Offset);
    }

    [Theory]
    [InlineData("date", RecordSort.DateDesc)]
    [InlineData("date_asc", RecordSort.DateAsc)]
    [InlineData("score", RecordSort.ScoreDesc)]
    [InlineData("score_desc", RecordSort.ScoreDesc)]
    public void Sort_should_read_date_and_score(string sort, RecordSort expected)
    {
        Assert.Equal(expected, RecordQuery.Parse(null, null, null, sort, null, null).Query!.Sort);
    }

    [Theory]
    [InlineData(null, null, null, "0", null, "page", "E_RANGE")]
    [InlineData(null, null, null, "100001", null, "page", "E_RANGE")]
    [InlineData(null, null, null, "99999999999999999999", null, "page", "E_NOT_NUMBER")]
    [InlineData(null, null, null, "x", null, "page", "E_NOT_NUMBER")]
    [InlineData(null, null, null, null, "0", "pageSize", "E_RANGE")]
    [InlineData(null, null, null, null, "101", "pageSize", "E_RANGE")]
    [InlineData("F", null, null, null, null, "grade", "E_ENUM")]
    [InlineData("b", null, null, null, null, "grade", "E_ENUM")]
    [InlineData(null, "CASTLE", null, null, null, "houseType", "E_ENUM")]
    [InlineData(null, null, "random", null, null, "sort", "E_ENUM")]
    public void Bad_values_should_be_field_errors(string? grade, string? houseType, string? sort, string? page, string? pageSize, string field, string code,
        string? q = null)
    {
        var (query, errors) = RecordQuery.Parse(q, grade, houseType, sort, page, pageSize);

        Assert.Null(query);
        var error = Assert.Single(errors);
        Assert.Equal((field, code), (error.Field, error.Code));
    }

    [Fact]
    public void A_search_longer_than_a_label_should_be_refused()
    {
        var (_, errors) = RecordQuery.Parse(new string('x', 101), null, null, null, null, null);

        Assert.Equal(("q", "E_TOO_LONG"), (errors[0].Field, errors[0].Code));
    }

    [Fact]
    public void Csv_should_quote_and_defuse_labels()
    {
        var record = FengShuiEngine.Default.Evaluate(SampleHouses.HouseA()).Result! with
        {
            Id = "r1",
            CreatedAt = new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero),
            Label = "=HYPERLINK(\"x\"), 3F",
        };

        var csv = RecordCsv.Write([(record, true)]);

        var lines = csv.Split("\r\n");
        Assert.Equal("id,created_at,label,house_type,model,ruler_profile,total,grade,ENV,WATER_ROAD,EXTERIOR,INTERIOR,LUBAN,shared", lines[0]);
        Assert.Equal("r1,2026-12-01T08:30:00Z,\"'=HYPERLINK(\"\"x\"\"), 3F\",APARTMENT,LBC-FS-1.0,LUBAN_42_9,88.2,B,92.2,74.3,86.5,91,100,yes", lines[1]);
        Assert.Equal("", lines[2]);
    }

    [Theory]
    [InlineData(null, true, null)]
    [InlineData("9f1c2b3a-0000-4000-8000-000000000001", true, "9f1c2b3a-0000-4000-8000-000000000001")]
    [InlineData("", false, null)]
    [InlineData("has space", false, null)]
    [InlineData("中文", false, null)]
    public void Idempotency_key_should_be_visible_ascii(string? header, bool ok, string? key)
    {
        Assert.Equal((ok, key), (IdempotencyKey.TryRead(header, out var read), read));
    }

    [Fact]
    public void Idempotency_key_should_be_at_most_128_characters()
    {
        Assert.True(IdempotencyKey.TryRead(new string('k', 128), out _));
        Assert.False(IdempotencyKey.TryRead(new string('k', 129), out _));
    }

    [Fact]
    public void Body_hash_should_tell_different_bodies_apart()
    {
        Assert.Equal(IdempotencyKey.BodyHash("{\"a\":1}"), IdempotencyKey.BodyHash(Encoding.UTF8.GetString("{\"a\":1}"u8)));
        Assert.NotEqual(IdempotencyKey.BodyHash("{\"a\":1}"), IdempotencyKey.BodyHash("{\"a\":2}"));
    }
}
