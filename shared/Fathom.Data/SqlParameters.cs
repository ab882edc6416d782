using Npgsql;
using NpgsqlTypes;

namespace Fathom.Data;

/// <summary>
/// The one way every store passes values: positional parameters (<c>$1</c>, <c>$2</c>...) added in order with
/// <c>command.With(a).With(b)</c>, typed where a null needs a type.
/// </summary>
public static class SqlParameters
{
    public static NpgsqlCommand With(this NpgsqlCommand command, object? value, NpgsqlDbType? type = null)
    {
        command.Parameters.Add(Parameter(value, type));
        return command;
    }

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, object? value, NpgsqlDbType? type = null)
    {
        command.Parameters.Add(Parameter(value, type));
        return command;
    }

    private static NpgsqlParameter Parameter(object? value, NpgsqlDbType? type)
    {
        var parameter = new NpgsqlParameter { Value = value ?? DBNull.Value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }
        return parameter;
    }
}
