using Npgsql;
using NpgsqlTypes;

namespace Fathom.Knowledge.Stores;

/// <summary>Positional parameters, typed where a null needs a type.</summary>
internal static class SqlParameters
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
