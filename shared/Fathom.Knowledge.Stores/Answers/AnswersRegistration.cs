using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fathom.Knowledge.Stores.Answers;

public static class AnswersRegistration
{
    /// <summary>Retrieval and answering over the stores <see cref="KnowledgeStoreRegistration.AddKnowledgeStores"/> adds; the chat model from <c>Chat__*</c>.</summary>
    public static TBuilder AddAnswers<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ChatModelOptions>().BindConfiguration("Chat");
        builder.Services.AddSingleton<Retrieval>();
        builder.Services.AddSingleton<Answering>();
        return builder;
    }
}
