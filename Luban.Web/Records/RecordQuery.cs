using System.Globalization;
using Luban.FengShui.Model;
using Luban.FengShui.Validation;
using Luban.Web.Api;

namespace Luban.Web.Records;

public enum RecordSort { DateDesc, DateAsc, ScoreDesc, ScoreAsc }

/// <summary>One page of one owner's records: label search, grade and house type filters, order, page.</summary>
public sealed record RecordQuery(string? Search, Grade? Grade, HouseType? HouseType, RecordSort Sort, int Page, int PageSize)
{
    public const int MaxPage = 100_000;
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;
    public const int MaxSearchLength = HouseValidator.MaxLabelLength;

    public static RecordQuery Default { get; } = new(null, null, null, RecordSort.DateDesc, 1, DefaultPageSize);

    /// <summary>Rows to skip; at most (100 000 − 1) × 100, far from overflowing.</summary>
    public int Offset => (Page - 1) * PageSize;

    /// <summary>
    /// Reads the query string values (all optional): <c>q</c> (label contains, ≤ 100 characters), <c>grade</c> (A–E),
    /// <c>houseType</c>, <c>sort</c> (<c>date</c> = newest first, <c>date_asc</c>, <c>score</c> = highest first,
    /// <c>score_asc</c>), <c>page</c> (1–100000), <c>pageSize</c> (1–100). Every bad value is a field error.
    /// </summary>
    public static (RecordQuery? Query, IReadOnlyList<FieldError> Errors) Parse(
        string? q, string? grade, string? houseType, string? sort, string? page, string? pageSize)
    {
        var errors = new List<FieldError>();
        var search = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (search is { Length: > MaxSearchLength })
        {
            errors.Add(WebMessages.Field("q", "E_TOO_LONG", ("field", "q"), ("max", MaxSearchLength.ToString(CultureInfo.InvariantCulture))));
        }
        var gradeValue = Enum<Grade>("grade", grade, errors);
        var houseTypeValue = Enum<HouseType>("houseType", houseType, errors);
        RecordSort? sortValue = sort switch
        {
            null or "" or "date" or "date_desc" => RecordSort.DateDesc,
            "date_asc" => RecordSort.DateAsc,
            "score" or "score_desc" => RecordSort.ScoreDesc,
            "score_asc" => RecordSort.ScoreAsc,
            _ => null,
        };
        if (sortValue is null)
        {
            errors.Add(WebMessages.Field("sort", "E_ENUM", ("value", sort!)));
        }
        var pageValue = Integer("page", page, 1, 1, MaxPage, errors);
        var sizeValue = Integer("pageSize", pageSize, DefaultPageSize, 1, MaxPageSize, errors);
        return errors.Count > 0
            ? (null, errors)
            : (new RecordQuery(search, gradeValue, houseTypeValue, sortValue!.Value, pageValue, sizeValue), errors);
    }

    private static TEnum? Enum<TEnum>(string field, string? text, List<FieldError> errors) where TEnum : struct, System.Enum
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (WireEnum.TryParse<TEnum>(text, out var value))
        {
            return value;
        }
        errors.Add(WebMessages.Field(field, "E_ENUM", ("value", text)));
        return null;
    }

    private static int Integer(string field, string? text, int fallback, int min, int max, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(WebMessages.Field(field, "E_NOT_NUMBER"));
            return fallback;
        }
        if (value < min || value > max)
        {
            errors.Add(WebMessages.Field(field, "E_RANGE", ("min", min.ToString(CultureInfo.InvariantCulture)), ("max", max.ToString(CultureInfo.InvariantCulture))));
            return fallback;
        }
        return (int)value;
    }
}
