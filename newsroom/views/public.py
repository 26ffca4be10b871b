from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "newsroom/home.html"


DepartmentDetailView = ArticleDetailView = CategoryArticleListView = HomeView
